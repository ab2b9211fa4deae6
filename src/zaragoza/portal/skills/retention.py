"""The retention purge on a schedule: when ``zaragoza serve`` starts, then once a day.

The daily run is a small daemon thread in gunicorn's master process, started by the
``when_ready`` server hook (:func:`zaragoza.portal.server.serve`): one run per server
whatever the number of workers, and nothing else to install (no cron job). Between runs
the thread only waits, and each run closes its database connection, so no connection is
held open when the master forks a worker. The log says how many profiles were erased,
never which or whose (each erasure is in the access log, by the profile's random id).
"""

from __future__ import annotations

import logging
import threading

__all__ = ["DAY", "DailyPurge", "run_purge"]

logger = logging.getLogger("zaragoza.skills.retention")
DAY = 24 * 60 * 60.0


def run_purge() -> int | None:
    """Purge by each organisation's retention period; return how many profiles were
    erased, or None when the purge failed (logged by the kind of error only: the
    server keeps serving, and the next run tries again)."""
    from django.db import connection

    from zaragoza.portal.skills.services import purge

    try:
        done = purge()
    except Exception as exc:  # a failing purge must not stop the server
        logger.error("retention purge failed (%s); tried again at the next run", type(exc).__name__)
        return None
    finally:
        if not connection.in_atomic_block:  # (a caller's transaction stays its own)
            connection.close()
    logger.info("retention purge: %d profiles erased", done)
    return done


class DailyPurge(threading.Thread):
    """Runs :func:`run_purge` every ``interval`` seconds (a day by default) until stopped."""

    def __init__(self, interval: float = DAY) -> None:
        super().__init__(name="zaragoza-retention-purge", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            run_purge()

    def stop(self) -> None:
        self.stopped.set()
