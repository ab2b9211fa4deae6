"""The embedded default warehouse: Eurostat's bundled tables plus estimates from the
bundled synthetic examples (a demonstration, not statistics)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from zaragoza.catalog.loader import load_catalog
from zaragoza.pipeline.result import store_run
from zaragoza.pipeline.run import estimate_files
from zaragoza.warehouse.store import LoadResult, Warehouse

__all__ = ["build_default_warehouse"]


def build_default_warehouse(
    path: str | Path,
    example: str | Path,
    *,
    silc_example: str | Path | bool = True,
    progress: Callable[[str], Any] | None = None,
) -> dict[str, LoadResult]:
    """Build the embedded default: Eurostat's bundled tables plus estimates from the
    bundled synthetic examples, in a new warehouse file written atomically.

    ``example`` is the EU-LFS example; ``silc_example`` the EU-SILC one (True: the
    bundled ``example_silc.csv.gz``; False: none), whose EU-SILC indicators are
    estimated by citizenship and by country of birth, with sex and the gaps to
    nationals, from its strata ``DB050`` and PSUs ``DB060``. The file is built next to
    ``path`` under a temporary name and renamed into place, so an interrupted build
    leaves no half-made warehouse.
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
        with Warehouse(tmp) as wh:
            say("loading the bundled Eurostat tables")
            results["published"], _ = load_bundled_published(wh, cat)
            # (label, survey, example file, indicators, strata and PSU columns)
            jobs: list[tuple[str, str, Path, Any, str, str]] = [
                ("computed", "eu-lfs", Path(example), lfs, "STRATUM", "PSU")
            ]
            if silc_example is not False:
                silc_file = _bundled_silc_example() if silc_example is True else silc_example
                jobs.append(("EU-SILC", "eu-silc", Path(silc_file), None, "DB050", "DB060"))
            for label, survey, file, ids, strata, psu in jobs:
                for group in ("citizen", "c_birth"):
                    say(f"estimating the {label} indicators by {group} from the example")
                    run = estimate_files(
                        [file],
                        ids,
                        by=[group, "sex"],
                        gap=f"{group}=NAT",
                        strata=strata,
                        psu=psu,
                        catalog=cat,
                        survey=survey,
                    )
                    results[f"{label} by {group}"] = store_run(run, wh)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return results


def _bundled_silc_example() -> Path:
    """The bundled synthetic EU-SILC example (not real data)."""
    from importlib import resources

    return Path(str(resources.files("zaragoza") / "data" / "example_silc.csv.gz"))
