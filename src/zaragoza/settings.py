"""Settings read from the environment, in one place, for the library and the command.

========================  =====================================================
``ZARAGOZA_WAREHOUSE``    the warehouse file (default ``zaragoza.duckdb`` here)
``ZARAGOZA_CACHE``        the download cache: Eurostat answers, GISCO boundaries
                          (default ``~/.cache/zaragoza``)
``SPARK_MASTER``          the Spark master when ``--spark-master`` is not given
``SPARK_REMOTE``          a Spark Connect server (``sc://host:15002``)
``SPARK_CONF_DIR``,       where Spark's ``spark-defaults.conf`` is read
``SPARK_HOME``
``ZARAGOZA_SPARK_PARTITIONS``  Spark's shuffle partitions (default 16)
========================  =====================================================

The portal's own settings (``DJANGO_*``, ``ZARAGOZA_TLS``, ``ZARAGOZA_CACHE_MB``...) are
read by its Django settings module, ``zaragoza.portal.settings``.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "cache_dir",
    "spark_conf_dirs",
    "spark_master_env",
    "spark_partitions",
    "spark_remote",
    "warehouse_path",
]


def warehouse_path() -> Path:
    """``$ZARAGOZA_WAREHOUSE``, or ``zaragoza.duckdb`` in the current folder."""
    return Path(os.environ.get("ZARAGOZA_WAREHOUSE", "zaragoza.duckdb"))


def cache_dir() -> Path:
    """``$ZARAGOZA_CACHE``, or ``~/.cache/zaragoza``."""
    return Path(os.environ.get("ZARAGOZA_CACHE") or Path.home() / ".cache" / "zaragoza")


def spark_master_env() -> str | None:
    return os.environ.get("SPARK_MASTER") or None


def spark_remote() -> str | None:
    return os.environ.get("SPARK_REMOTE") or None


def spark_conf_dirs() -> list[Path]:
    """Folders that may hold ``spark-defaults.conf``, in Spark's order."""
    out = []
    if os.environ.get("SPARK_CONF_DIR"):
        out.append(Path(os.environ["SPARK_CONF_DIR"]))
    if os.environ.get("SPARK_HOME"):
        out.append(Path(os.environ["SPARK_HOME"]) / "conf")
    return out


def spark_partitions() -> str:
    return os.environ.get("ZARAGOZA_SPARK_PARTITIONS", "16")
