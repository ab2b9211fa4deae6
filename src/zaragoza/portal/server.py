"""``zaragoza serve``: the portal under gunicorn, the embedded default built if absent.

gunicorn (threaded workers, one per core by default) is the production-grade WSGI server;
Django's ``runserver`` is never used. Before the workers start, Django's own tables are
migrated (SQLite beside the warehouse, or ``DATABASE_URL``) and the skills profiles past
their organisation's retention period are purged; the master purges again once a day
(:mod:`zaragoza.portal.skills.retention`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

__all__ = ["options", "prepare", "serve"]


def prepare(warehouse: Path, *, progress: Callable[[str], Any] | None = None) -> bool:
    """Make the portal ready to serve ``warehouse``; return True if it had to be built.

    Builds the embedded default warehouse when the file does not exist, points the
    settings at it, migrates Django's database, and collects the static files with
    their compressed twins into the cache (:mod:`zaragoza.portal.static_files`).
    """
    say = progress or (lambda _msg: None)
    built = False
    if not warehouse.exists():
        from importlib import resources

        from zaragoza.pipeline import build_default_warehouse

        say(f"no warehouse at {warehouse}: building the embedded default")
        example = Path(str(resources.files("zaragoza") / "data" / "example_lfs.csv.gz"))
        build_default_warehouse(warehouse, example, progress=say)
        built = True
    os.environ["ZARAGOZA_WAREHOUSE"] = str(warehouse.absolute())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zaragoza.portal.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    # The bundled knowledge-base content (practices, organisations, country profiles):
    # loaded on the first start, brought up to date on later ones.
    from zaragoza.knowledge.content import load_content
    from zaragoza.portal.knowledge.services import seed

    seed(load_content())
    # The example round of local benchmarks (invented cities, labelled as such).
    from zaragoza.errors import CatalogError
    from zaragoza.portal.benchmarks.example import seed_example

    try:
        seed_example()
    except CatalogError as exc:
        say(f"the example benchmark round is not loaded: {exc.message}")
    # Skills profiles kept past their organisation's retention period: erased now, and
    # once a day by the master while the server runs (see serve()).
    from zaragoza.portal.skills.retention import run_purge

    run_purge()
    # Static files with their gzip and brotli twins (plotly.js included), made once.
    from zaragoza.portal.static_files import collect_static, use_collected
    from zaragoza.settings import cache_dir

    try:
        use_collected(collect_static(cache_dir() / "static", progress=say))
    except OSError as exc:
        say(f"static files served uncompressed: the cache cannot be written ({exc})")
    return built


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from zaragoza.portal.wsgi import application

        return application


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int | None = None,
    threads: int = 8,
    access_log: bool = False,
) -> None:
    """Run the portal under gunicorn until interrupted (call :func:`prepare` first)."""
    settings = options(
        host=host, port=port, workers=workers, threads=threads, access_log=access_log
    )
    _Gunicorn(settings).run()


def options(
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int | None = None,
    threads: int = 8,
    access_log: bool = False,
) -> dict[str, Any]:
    """gunicorn's settings for the portal."""
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers or max(os.cpu_count() or 1, 1),
        "worker_class": "gthread",
        "threads": threads,
        "preload_app": True,
        "timeout": 60,
        "graceful_timeout": 10,
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "zaragoza-portal",
        "when_ready": _start_daily_purge,
    }


def _start_daily_purge(_server: Any) -> None:
    """gunicorn's ``when_ready`` hook, in the master: the retention purge once a day."""
    from zaragoza.portal.skills.retention import DailyPurge

    DailyPurge().start()
