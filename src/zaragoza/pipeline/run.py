"""The one estimation call: a request in, observations out, for every survey."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from zaragoza.catalog.loader import Catalog, load_catalog
from zaragoza.errors import ParameterError, ResourceError
from zaragoza.estimate.design import (
    Bootstrap,
    Linearisation,
    ReplicateWeights,
    SurveyDesign,
    Variance,
)
from zaragoza.estimate.request import EstimationRequest
from zaragoza.pipeline.engines import engine_for
from zaragoza.pipeline.result import EstimateRun
from zaragoza.sources.readers import is_synthetic

__all__ = ["design_from", "estimate", "estimate_files", "survey_of"]


def survey_of(request: EstimationRequest, catalog: Catalog) -> str:
    """The survey of a request: as given, else from the files' id columns, else EU-LFS.

    EU-SILC files carry household and person ids (``DB030``, ``HB030``, ``RB030``,
    ``PB030``) and no EU-LFS weight ``COEFF``; PISA student files the weight
    ``W_FSTUWT`` and plausible values; a request naming only EU-SILC (PISA) indicators
    is EU-SILC (PISA) too. What only Spark reads (a cluster's storage, a folder of
    Parquet parts) is not opened here: such inputs are EU-LFS unless ``survey`` says.
    """
    if request.survey != "auto":
        return request.survey
    ids = [i for i in request.indicators if i in catalog.indicators]
    for survey in ("EU-SILC", "PISA"):
        if ids and all(catalog[i].survey == survey for i in ids):
            return survey.lower()
    if request.backend == "spark" and any(_spark_only(p) for p in request.inputs):
        return "eu-lfs"
    from zaragoza.sources.pisa import is_pisa
    from zaragoza.sources.readers import load_column_map
    from zaragoza.sources.silc import looks_like_silc, silc_input_columns

    colmap = load_column_map(request.columns) if request.columns else None
    # the headers read once: opening the files is most of this function's time
    columns = silc_input_columns(request.inputs, colmap)
    if is_pisa(sorted(columns)):
        return "pisa"
    return "eu-silc" if looks_like_silc(columns) else "eu-lfs"


def _spark_only(path: str) -> bool:
    """A cluster's storage (``hdfs://``, ``s3a://``) or a folder of parts: Spark reads it,
    the local readers that peek at a file's columns do not."""
    return "://" in path or Path(path).is_dir()


def estimate(
    request: EstimationRequest,
    *,
    catalog: Catalog | None = None,
    progress: Callable[[str], Any] | None = None,
) -> EstimateRun:
    """Return the observations a request asks for, with their provenance.

    The survey's engine checks the indicators and refuses options it cannot honour
    before anything is read (:mod:`zaragoza.pipeline.engines`); then the files are read,
    validated and harmonised (``sources``), and the indicators estimated with the
    request's survey design (``estimate``).
    """
    started = time.perf_counter()
    say = progress or (lambda _msg: None)
    cat = catalog or load_catalog()
    survey = survey_of(request, cat)
    request = request.with_survey(survey)  # type: ignore[arg-type]
    engine = engine_for(survey)
    engine.refuse(request)
    if request.indicators:
        engine.check_indicators(cat.select(request.indicators))
    run = _run_within_memory(engine, request, cat, say)
    # provenance says whether the figures come from synthetic records, so that every
    # page, file and API answer can say so too
    run.options["synthetic"] = any(is_synthetic(f) for f in run.files if "://" not in f)
    run.seconds = time.perf_counter() - started
    return run


def _run_within_memory(
    engine: Any, request: EstimationRequest, cat: Catalog, say: Callable[[str], Any]
) -> EstimateRun:
    """The engine's run; DuckDB running out of memory is the user's limit to change, said
    as such, not a traceback (DuckDB spills joins, sorts and aggregates to disk, but a
    result the engine takes into memory must fit)."""
    import duckdb

    try:
        run: EstimateRun = engine.run(request, cat, say)
    except duckdb.OutOfMemoryException as exc:
        said = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        limit = request.memory_limit or "DuckDB's default, 80% of the machine's memory"
        raise ResourceError(
            f"DuckDB ran out of memory within its limit of {limit}",
            hint="Give a larger limit (memory_limit), or run on Spark (backend). "
            f"DuckDB said: {said}",
        ) from None
    return run


def _variance(
    replicate_weights: str | None,
    replicate_method: str | None,
    replicate_scale: float | None,
    replicate_rscales: Sequence[float] | None,
    fay_rho: float | None,
    bootstrap: int | None,
    seed: int,
) -> Variance:
    if replicate_weights and bootstrap is not None:
        raise ParameterError(
            "bootstrap", bootstrap, "either a bootstrap or replicate weights, not both"
        )
    if replicate_weights and not replicate_method:
        raise ParameterError("replicate_method", None, "one of bootstrap, jk1, jkn, brr, fay")
    if replicate_method and not replicate_weights:
        raise ParameterError(
            "replicate_weights", None, "a regular expression naming the replicate columns"
        )
    for name, value in (
        ("replicate_scale", replicate_scale),
        ("replicate_rscales", replicate_rscales),
        ("fay_rho", fay_rho),
    ):
        if value is not None and not replicate_weights:
            raise ParameterError(name, value, "only with replicate_weights")
    if replicate_weights:
        return ReplicateWeights(
            replicate_weights,
            replicate_method,  # type: ignore[arg-type]
            replicate_scale,
            tuple(replicate_rscales) if replicate_rscales is not None else None,
            fay_rho,
        )
    if bootstrap is not None:
        return Bootstrap(bootstrap, seed)
    return Linearisation()


def design_from(
    *,
    weight: str | None = None,
    strata: str | None = None,
    psu: str | None = None,
    lonely_psu: str = "fail",
    replicate_weights: str | None = None,
    replicate_method: str | None = None,
    replicate_scale: float | None = None,
    replicate_rscales: Sequence[float] | None = None,
    fay_rho: float | None = None,
    bootstrap: int | None = None,
    seed: int = 1,
) -> SurveyDesign:
    """The survey design of plain option values (the command line's, the library's)."""
    return SurveyDesign(
        weight=weight,
        strata=strata,
        psu=psu,
        lonely_psu=lonely_psu,  # type: ignore[arg-type]
        variance=_variance(
            replicate_weights,
            replicate_method,
            replicate_scale,
            replicate_rscales,
            fay_rho,
            bootstrap,
            seed,
        ),
    )


def estimate_files(
    paths: Sequence[str | Path],
    indicator_ids: Sequence[str] | None = None,
    *,
    by: Sequence[str] = (),
    weight: str | None = None,
    strata: str | None = None,
    psu: str | None = None,
    lonely_psu: str = "fail",
    replicate_weights: str | None = None,
    replicate_method: str | None = None,
    replicate_scale: float | None = None,
    replicate_rscales: Sequence[float] | None = None,
    fay_rho: float | None = None,
    bootstrap: int | None = None,
    seed: int = 1,
    gap: str | None = None,
    catalog: Catalog | None = None,
    catalog_dirs: Sequence[str | Path] = (),
    progress: Callable[[str], Any] | None = None,
    **options: Any,
) -> EstimateRun:
    """Estimate from files with options as plain values: builds the request and design.

    The convenience form of :func:`estimate`; ``options`` are the other fields of
    :class:`~zaragoza.estimate.request.EstimationRequest` (``survey``, ``backend``,
    ``columns``, ``rules``, ``limits``, ``memory_limit``, ``alpha``, ``drop_invalid``,
    ``spark_master``); ``catalog_dirs`` adds the indicator definitions of those folders.
    """
    known = {f.name for f in fields(EstimationRequest)} - {"inputs", "indicators", "by", "gap"}
    unknown = sorted(set(options) - known)
    if unknown:
        raise ParameterError(unknown[0], options[unknown[0]], sorted(known))
    if catalog is None and catalog_dirs:
        catalog = load_catalog(catalog_dirs)
    design = design_from(
        weight=weight,
        strata=strata,
        psu=psu,
        lonely_psu=lonely_psu,
        replicate_weights=replicate_weights,
        replicate_method=replicate_method,
        replicate_scale=replicate_scale,
        replicate_rscales=replicate_rscales,
        fay_rho=fay_rho,
        bootstrap=bootstrap,
        seed=seed,
    )
    request = EstimationRequest.build(
        paths, indicator_ids or (), by=by, gap=gap, design=design, **options
    )
    return estimate(request, catalog=catalog, progress=progress)
