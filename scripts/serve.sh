#!/usr/bin/env bash
# Runs the web server and the task worker together; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
HOST="${FLOWCOACH_HOST:-127.0.0.1}"
PORT="${FLOWCOACH_PORT:-8000}"

"$BIN/python" manage.py outbox_worker &
worker=$!
"$BIN/gunicorn" flowcoach.wsgi:application --bind "$HOST:$PORT" --workers "${WEB_CONCURRENCY:-2}" \
  --worker-class sync --access-logfile - --log-level warning \
  --logger-class flowcoach.lib.logs.QuietStaticLogger &
web=$!

stop() {
  trap - INT TERM
  kill "$web" "$worker" 2>/dev/null || true
  wait "$web" "$worker" 2>/dev/null || true
  echo "flowcoach stopped."
}
trap stop INT TERM EXIT

for _ in $(seq 1 50); do
  if "$BIN/python" - "$HOST" "$PORT" <<'PY' 2>/dev/null; then break; fi
import socket, sys
socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=0.2).close()
PY
  sleep 0.2
done
echo
echo "flowcoach is running on http://$HOST:$PORT  (Ctrl-C stops the web server and the worker)"
echo
wait -n "$web" "$worker"
