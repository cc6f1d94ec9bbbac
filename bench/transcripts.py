"""Transcript analysis end to end (parse, utterances, labels, figures) on long sessions.

    .venv/bin/python bench/transcripts.py            # 30, 90 and 180 minutes, Zoom WebVTT
    .venv/bin/python bench/transcripts.py --format txt

Builds each file by repeating the labelled 45-minute sample (T1) with shifted times, so the
speech is real coaching talk, then times `analysis.analyse` on the bytes, best of 5 runs.
Pure Python, no database."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flowcoach.transcripts.analysis import analyse  # noqa: E402

SAMPLE = ROOT / "tests" / "fixtures" / "transcripts" / "T1.json"


def stamp(seconds: float, comma: bool = False) -> str:
    whole = int(seconds)
    millis = int(round((seconds - whole) * 1000))
    if millis == 1000:
        whole, millis = whole + 1, 0
    sep = "," if comma else "."
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}{sep}{millis:03d}"


def build(minutes: int, fmt: str) -> bytes:
    utterances = json.loads(SAMPLE.read_text())["utterances"]
    length = utterances[-1]["end"] + 2.0
    rows = []
    offset = 0.0
    while offset < minutes * 60:
        for u in utterances:
            if offset + u["end"] > minutes * 60:
                break
            rows.append((u["speaker"], offset + u["start"], offset + u["end"], u["text"]))
        offset += length
    if fmt == "txt":
        lines = [f"[{stamp(s)[:8]}] {who}: {text}" for who, s, _, text in rows]
        return "\n\n".join(lines).encode()
    cues = [
        f"{i}\n{stamp(s)} --> {stamp(e)}\n{who}: {text}"
        for i, (who, s, e, text) in enumerate(rows, 1)
    ]
    return ("WEBVTT\n\n" + "\n\n".join(cues) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--format", choices=["vtt", "txt"], default="vtt")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"format {args.format}, best and median of {args.runs} runs")
    print(
        f"{'minutes':>8} {'utterances':>11} {'KB':>6} {'best ms':>8} {'median ms':>10} {'ms/min':>7}"
    )
    for minutes in (30, 90, 180):
        data = build(minutes, args.format)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            result = analyse(data, f"bench.{args.format}", coach="Dana Whitfield")
            times.append((time.perf_counter() - start) * 1000)
        best = min(times)
        print(
            f"{minutes:>8} {len(result.utterances):>11} {len(data) // 1024:>6} {best:>8.1f} "
            f"{statistics.median(times):>10.1f} {best / minutes:>7.2f}"
        )


if __name__ == "__main__":
    main()
