"""The embedded default warehouse: Eurostat's bundled tables plus estimates from the
bundled synthetic examples (a demonstration, not statistics)."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from zaragoza.catalog.loader import load_catalog
from zaragoza.errors import UsageError
from zaragoza.pipeline.result import EstimateRun, store_run
from zaragoza.pipeline.run import estimate_files
from zaragoza.warehouse.store import LoadResult, Warehouse

__all__ = ["build_default_warehouse"]


def build_default_warehouse(
    path: str | Path,
    example: str | Path,
    *,
    silc_example: str | Path | bool = True,
    pisa_example: str | Path | bool = True,
    progress: Callable[[str], Any] | None = None,
) -> dict[str, LoadResult]:
    """Build the embedded default: Eurostat's bundled tables plus estimates from the
    bundled synthetic examples, in a new warehouse file written atomically.

    ``example`` is the EU-LFS example; ``silc_example`` the EU-SILC one (True: the
    bundled ``example_silc.csv.gz``; False: none), whose EU-SILC indicators are
    estimated by citizenship and by country of birth, with sex and the gaps to
    nationals, from its strata ``DB050`` and PSUs ``DB060``; ``pisa_example`` the PISA
    one (True: the bundled ``example_pisa.parquet``; False: none), whose achievement
    indicators are estimated by migrant background and sex, with the gaps to native
    students, on PISA's design (its Fay replicates and plausible values). The file is
    built next to ``path`` under a temporary name and renamed into place, so an
    interrupted build leaves no half-made warehouse.
    """
    from zaragoza.warehouse.loads import load_bundled_published

    say = progress or (lambda _msg: None)
    target = Path(path)
    tmp = target.with_name(f".{target.name}.building")
    tmp.unlink(missing_ok=True)
    cat = load_catalog()
    lfs = [i for i in cat if cat[i].survey == "EU-LFS"]
    results: dict[str, LoadResult] = {}
    try:
        # one transaction: the secondary suppression of each table is computed once
        with Warehouse(tmp) as wh, wh.transaction():
            # (label, survey, example file, indicators, strata and PSU columns)
            jobs: list[tuple[str, str, Path, Any, str, str]] = [
                ("computed", "eu-lfs", Path(example), lfs, "STRATUM", "PSU")
            ]
            if silc_example is not False:
                silc_file = _bundled_example("silc") if silc_example is True else silc_example
                jobs.append(("EU-SILC", "eu-silc", Path(silc_file), None, "DB050", "DB060"))
            runs: list[tuple[str, Callable[..., EstimateRun], tuple[Any, ...]]] = [
                (f"{label} by {group}", _estimate_job, (survey, str(file), ids, group, strata, psu))
                for label, survey, file, ids, strata, psu in jobs
                for group in ("citizen", "c_birth")
            ]
            if pisa_example is not False:
                pisa_file = _bundled_example("pisa") if pisa_example is True else pisa_example
                runs.append(("PISA by mig_bg", _estimate_pisa_job, (str(pisa_file),)))
            # The estimates are independent: worker processes make them while this one
            # loads the published tables; they are stored in this fixed order, so the
            # warehouse is the same whatever the number of workers.
            workers = _workers(len(runs))
            where = "this process" if workers == 1 else f"{workers} worker processes"
            say(f"estimating {len(runs)} runs from the examples in {where}")
            with _pool(workers) as pool:
                pending = [(name, pool.submit(fn, *args)) for name, fn, args in runs]
                say("loading the bundled Eurostat tables")
                results["published"], _ = load_bundled_published(wh, cat)
                for name, job in pending:
                    results[name] = store_run(job.result(), wh)
                    say(f"stored the {name}")
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return results


def _estimate_job(
    survey: str, file: str, ids: list[str] | None, group: str, strata: str, psu: str
) -> EstimateRun:
    """One run of the embedded default: the indicators by ``group`` and sex, with the
    gap to nationals (in a worker process: everything it needs is in its arguments)."""
    return estimate_files(
        [file], ids, by=[group, "sex"], gap=f"{group}=NAT", strata=strata, psu=psu,
        catalog=load_catalog(), survey=survey,
    )  # fmt: skip


def _estimate_pisa_job(file: str) -> EstimateRun:
    """The PISA run of the embedded default: every PISA indicator by migrant background
    and sex, with the gaps to native students (in a worker process)."""
    return estimate_files(
        [file], None, by=["mig_bg", "sex"], gap="mig_bg=NATIVE", catalog=load_catalog(),
        survey="pisa",
    )  # fmt: skip


def _workers(jobs: int) -> int:
    """Worker processes for the estimates: ``ZARAGOZA_INIT_WORKERS``, else the cores
    this process may use (at most ``jobs``); 1 estimates in this process."""
    given = os.environ.get("ZARAGOZA_INIT_WORKERS", "").strip()
    if given:
        if not given.isdigit() or int(given) < 1:
            raise UsageError(
                "invalid ZARAGOZA_INIT_WORKERS", value=given, hint="a whole number, 1 or more"
            )
        return min(int(given), jobs)
    return max(1, min(len(os.sched_getaffinity(0)), jobs))


@contextmanager
def _pool(workers: int) -> Iterator[Executor]:
    """Processes started afresh (``spawn``: never a fork of a process holding DuckDB's
    threads), or this process itself for one worker."""
    if workers == 1:
        with _InProcess() as pool:
            yield pool
        return
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
        try:
            yield pool
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise


class _InProcess(Executor):
    """An executor that runs each job when its result is asked for, in this process."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return _Deferred(fn, args, kwargs)


class _Deferred(Future[Any]):
    def __init__(self, fn: Callable[..., Any], args: Any, kwargs: Any) -> None:
        super().__init__()
        self._call = (fn, args, kwargs)

    def result(self, timeout: float | None = None) -> Any:
        if not self.done():
            fn, args, kwargs = self._call
            try:
                self.set_result(fn(*args, **kwargs))
            except BaseException as exc:
                self.set_exception(exc)
        return super().result(timeout)


def _bundled_example(survey: str) -> Path:
    """The bundled synthetic EU-SILC or PISA example (not real data)."""
    from importlib import resources

    name = {"silc": "example_silc.csv.gz", "pisa": "example_pisa.parquet"}[survey]
    return Path(str(resources.files("zaragoza") / "data" / name))
