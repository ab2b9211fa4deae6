"""Logging filters of the portal."""

from __future__ import annotations

import logging

__all__ = ["OneLine"]


class OneLine(logging.Filter):
    """Log a client's mistake (a bad ``Host`` header, a suspicious request) as one line.

    Django logs ``DisallowedHost`` with the whole traceback; repeated by a scanner, that
    fills the log with the same thirty lines. The line keeps the message, which names the
    host sent, and drops the traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            kind = record.exc_info[0].__name__ if record.exc_info[0] else "error"
            record.msg = f"{record.getMessage()} ({kind})"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True
