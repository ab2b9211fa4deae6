"""Apache Spark for the EU-LFS engine: the user's cluster reads, validates and sums.

With ``backend = spark`` the input files are read by Spark itself (local paths or any
URI Spark reads: ``hdfs://``, ``s3a://``, ``file://``), validated and harmonised by the
same Ibis expressions as on DuckDB (``sources.lfs``), and the grouped totals computed by
Spark (``estimate.totals``): only validation counts and those totals reach this process,
never a record.

The cluster is the user's: the master is ``spark_master`` (``--spark-master``), else
``SPARK_MASTER``, else ``spark.master`` from ``spark-defaults.conf`` (in
``$SPARK_CONF_DIR`` or ``$SPARK_HOME/conf``); ``SPARK_REMOTE=sc://host`` connects to a
Spark Connect server instead; with none of them Spark runs in local mode on this
machine. Executors run the Python of this process (``spark.pyspark.python``).
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir

from zaragoza import settings
from zaragoza.errors import InputError, ParameterError
from zaragoza.estimate.request import EstimationRequest
from zaragoza.sources.lfs import InputSpec, LfsInput, prepare_lfs
from zaragoza.sources.readers import CSV_SUFFIXES, PARQUET_SUFFIXES, load_column_map

__all__ = ["SparkRecords", "spark_master", "spark_records", "spark_session", "spark_table"]


@dataclass
class SparkRecords:
    """Harmonised records as an Ibis table on Spark, and what validation found."""

    records: ir.Table
    n_rows: int
    n_dropped: int
    dropped_by_rule: dict[str, int]
    files: list[str]
    replicate_columns: list[str]


def _defaults_master() -> str | None:
    """``spark.master`` from ``spark-defaults.conf``, as spark-submit would read it."""
    for folder in settings.spark_conf_dirs():
        conf = folder / "spark-defaults.conf"
        if conf.is_file():
            for line in conf.read_text().splitlines():
                parts = line.split(None, 1)
                if len(parts) == 2 and parts[0] == "spark.master":
                    return parts[1].strip()
    return None


def spark_master(given: str | None) -> str | None:
    """The master URL to use: given, ``SPARK_MASTER``, spark-defaults.conf, or None
    (Spark Connect when ``SPARK_REMOTE`` is set, else local mode)."""
    return given or settings.spark_master_env() or _defaults_master()


_sessions: dict[str, Any] = {}


def spark_session(master: str | None = None) -> Any:
    """A Spark session on the user's cluster (see the module docstring), made once."""
    from pyspark.sql import SparkSession

    url = spark_master(master)
    remote = None if url else settings.spark_remote()
    key = url or remote or "local[*]"
    if key in _sessions:
        return _sessions[key]
    builder = SparkSession.builder.appName("zaragoza")
    if remote:
        builder = builder.remote(remote)
    else:
        builder = builder.master(url or "local[*]")
        workdir = Path(tempfile.gettempdir()) / "zaragoza-spark"
        builder = (
            builder.config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", settings.spark_partitions())
            .config("spark.sql.adaptive.enabled", "true")
            .config("spark.pyspark.python", sys.executable)
            .config("spark.pyspark.driver.python", sys.executable)
            # Spark would otherwise make a spark-warehouse folder in the user's directory.
            .config("spark.sql.warehouse.dir", str(workdir / "warehouse"))
            .config("spark.local.dir", str(workdir / "local"))
        )
    session = builder.getOrCreate()
    if not remote:
        session.sparkContext.setLogLevel("ERROR")
    _sessions[key] = session
    return session


def _kind(path: str) -> str:
    name = path.rstrip("/").rsplit("/", 1)[-1].lower()
    suffixes = ["." + p for p in name.split(".")[1:]]
    if (suffixes and suffixes[-1] in PARQUET_SUFFIXES) or not suffixes:
        return "parquet"  # a folder of Parquet files, as Spark and Hive write them
    if suffixes[-1] in CSV_SUFFIXES:
        return "tsv" if suffixes[0] == ".tsv" else "csv"
    raise ParameterError(
        "backend",
        "spark",
        f"CSV (.csv, .tsv, .csv.gz) or Parquet input on Spark; {path} is neither "
        "(read SPSS, Stata and SAS files with backend duckdb, or convert them)",
    )


def _read(session: Any, path: str, columns: dict[str, str]) -> Any:
    """One file (or folder) as a Spark DataFrame with EU-LFS names and ``_file``."""
    from pyspark.errors import AnalysisException
    from pyspark.sql import functions

    kind = _kind(path)
    try:
        if kind == "parquet":
            df = session.read.parquet(path)
        else:
            df = (
                session.read.option("header", "true")
                .option("inferSchema", "false")
                .option("mode", "FAILFAST")
                .option("sep", "\t" if kind == "tsv" else ",")
                .option("quote", '"')
                .option("escape", '"')
                .csv(path)
            )
    except AnalysisException as exc:
        raise InputError("cannot read the file", file=path, hint=str(exc).splitlines()[0]) from None
    rename = {v.upper(): k for k, v in columns.items()}
    seen: dict[str, str] = {}
    out = []
    for c in df.columns:
        target = rename.get(c.upper(), c.upper())
        if target in seen:
            raise InputError(
                f"column {c} appears twice",
                file=path,
                column=f"{seen[target]}, {c}",
                hint="Column names are compared without case; rename or remove one of them",
            )
        seen[target] = c
        out.append(functions.col(f"`{c}`").alias(target))
    return df.select(*out, functions.lit(path).alias("_file"))


def spark_table(request: EstimationRequest, columns: dict[str, str]) -> tuple[ir.Table, list[str]]:
    """The request's files read by Spark, stacked, as an Ibis table (names upper-cased)."""
    session = spark_session(request.spark_master)
    frames = [_read(session, str(p), columns) for p in request.inputs]
    df = frames[0]
    for other in frames[1:]:
        df = df.unionByName(other, allowMissingColumns=True)
    backend = ibis.pyspark.connect(session)
    name = f"zaragoza_input_{abs(hash(request.inputs)) % 10**8}"
    df.createOrReplaceTempView(name)
    return backend.table(name), [str(p) for p in request.inputs]


def spark_records(
    request: EstimationRequest, spec: InputSpec, say: Callable[[str], Any]
) -> SparkRecords:
    """Read, validate and harmonise the request's EU-LFS files on Spark.

    Raises
    ------
    ValidationError
        As on DuckDB, each problem with its file, column, first offending value and how
        many rows break the rule (Spark does not number rows).
    """
    columns = load_column_map(request.columns) if request.columns else {}
    table, files = spark_table(request, columns)
    data = LfsInput(table, files, None)
    say("validating on Spark")
    prepared = prepare_lfs(data, spec, drop_invalid=request.drop_invalid)
    return SparkRecords(
        prepared.records,
        prepared.n_rows,
        prepared.n_dropped,
        prepared.dropped_by_rule,
        data.files,
        prepared.replicate_columns,
    )
