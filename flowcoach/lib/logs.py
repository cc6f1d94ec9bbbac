"""Logging that a self-hoster can read: a refused request (403, 404) is one line, not a
traceback, and static files stay out of the web server's access log, so what matters
(errors, the invitation links printed without SMTP) is easy to find."""

from __future__ import annotations

import logging

from gunicorn.glogging import Logger as GunicornLogger

QUIET_PREFIXES = ("/static/", "/favicon.ico")


class OneLineForClientErrors(logging.Filter):
    """Drops the traceback of a request refused with a 4xx answer: the line already says
    what was refused, and the traceback only repeats Django's own frames."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


class QuietStaticLogger(GunicornLogger):
    """gunicorn's access log without the stylesheet, script and icon requests every page
    makes."""

    def access(self, resp, req, environ, request_time):
        if environ.get("PATH_INFO", "").startswith(QUIET_PREFIXES):
            return
        super().access(resp, req, environ, request_time)
