"""100 million EU-LFS records: the whole ``zaragoza estimate`` on DuckDB and on Spark.

Issue 17's last numbers: on synthetic EU-LFS Parquet files of 100M records, every
EU-LFS indicator by citizenship x sex with gaps to nationals, strata and PSUs,

* DuckDB with ``--memory-limit 4GB``: under 150 s (and the process within 4 GB plus
  the interpreter);
* a standalone Spark cluster on this machine (a master and two one-core workers bound
  to loopback, started here from the installed pyspark's own ``spark-class`` unless
  ``--spark-master`` names one): the run completes with the driver's memory bounded,
  and its numbers equal DuckDB's to 1e-9.

Each run is the whole command in its own process, as a user runs it. Wall seconds, the
child's CPU seconds (``os.wait4``) and the peak resident memory of the driver's whole
process tree (the Python process and the JVM pyspark starts for it; the workers'
executors are not in that tree), sampled from ``/proc`` every 0.2 s, are recorded with
the 1-minute load average at each start. The two outputs are then joined on the
observation key and compared. JSON: ``benchmarks/results/estimate_100m.json``.

    uv run python benchmarks/run_100m.py                       # 100M records
    uv run python benchmarks/run_100m.py --records 2000000     # a quick check of the script
    uv run python benchmarks/run_100m.py --skip-spark

The records are made once by ``zaragoza synth lfs`` under ``benchmarks/data/`` (git-ignored;
about 1.7 GB at 100M) and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
COUNTRIES = "AT,EL,SE"
YEAR = "2023"
TOLERANCE = 1e-9


def _zaragoza() -> str:
    found = shutil.which("zaragoza", path=str(Path(sys.executable).parent))
    if not found:
        raise SystemExit("the zaragoza command is not installed beside this Python")
    return found


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants, from ``/proc``."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            statm = Path(f"/proc/{entry}/statm").read_text()
        except OSError:  # the process ended meanwhile
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = int(statm.split()[1]) * page
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def timed(cmd: list[str], env: dict[str, str], log: Path) -> dict[str, Any]:
    """Run ``cmd``; wall and CPU seconds, the tree's peak RSS, the load at its start."""
    load = _load()
    t0 = time.perf_counter()
    with log.open("w") as err:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.2):
                peak[0] = max(peak[0], _tree_rss(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        done.set()
        sampler.join()
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        tail = log.read_text()[-3000:]
        raise SystemExit(f"{' '.join(cmd[:3])} ... failed ({proc.returncode}):\n{tail}")
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_tree_mb": round(peak[0] / 2**20),
        "peak_rss_process_mb": round(usage.ru_maxrss / 1024),
        "load_at_start": load,
        "load_at_end": _load(),
    }


def records(n: int) -> list[Path]:
    """The synthetic EU-LFS files of ``n`` records, made once and reused."""
    folder = DATA / f"lfs_{n}"
    files = sorted(folder.rglob("*.parquet")) if folder.exists() else []
    if files:
        return files
    tmp = DATA / f".lfs_{n}.partial"
    shutil.rmtree(tmp, ignore_errors=True)
    DATA.mkdir(parents=True, exist_ok=True)
    cmd = [_zaragoza(), "synth", "lfs", "--out", str(tmp), "--persons", str(n)]
    cmd += ["--countries", COUNTRIES, "--years", YEAR]
    print(f"making {n:,} synthetic records ...", flush=True)
    subprocess.run(cmd, check=True)
    tmp.rename(folder)
    return sorted(folder.rglob("*.parquet"))


class Cluster:
    """A standalone Spark cluster on loopback: one master, two one-core workers."""

    def __init__(self, work: Path, port: int = 57177, memory: str = "3g") -> None:
        import pyspark

        self.home = Path(pyspark.__file__).parent
        self.url = f"spark://127.0.0.1:{port}"
        self.work = work
        self.env = {**os.environ, "SPARK_HOME": str(self.home), "SPARK_LOCAL_IP": "127.0.0.1"}
        self.procs: list[subprocess.Popen[bytes]] = []
        klass = str(self.home / "bin" / "spark-class")
        master = [klass, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1"]
        master += ["--port", str(port), "--webui-port", "0"]
        self._start(master, work / "master.log")
        for i in (1, 2):
            worker = [klass, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1"]
            worker += ["--cores", "1", "--memory", memory, "--webui-port", "0"]
            worker += ["--work-dir", str(work / f"worker{i}"), self.url]
            self._start(worker, work / f"worker{i}.log")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            logs = [(work / f"worker{i}.log").read_text() for i in (1, 2)]
            if all("Successfully registered with master" in text for text in logs):
                return
            time.sleep(1)
        self.stop()
        raise SystemExit(f"the Spark workers did not register with {self.url}")

    def _start(self, cmd: list[str], log: Path) -> None:
        with log.open("w") as out:
            self.procs.append(
                subprocess.Popen(cmd, env=self.env, stdout=out, stderr=subprocess.STDOUT)
            )

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def compare(duck: Path, spark: Path) -> dict[str, Any]:
    """Join the two outputs on the observation key; the largest differences."""
    import duckdb

    from zaragoza.observations import CELL_KEY

    con = duckdb.connect()
    present = {
        r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{duck}')").fetchall()
    }
    # an estimate's output has no source column (every row is computed)
    on = " AND ".join(f"d.{c} IS NOT DISTINCT FROM s.{c}" for c in CELL_KEY if c in present)
    row = con.execute(
        f"""
        SELECT count(*) FILTER (WHERE s.indicator IS NULL),
               count(*) FILTER (WHERE d.indicator IS NULL),
               count(*) FILTER (WHERE d.indicator IS NOT NULL AND s.indicator IS NOT NULL),
               max(abs(d.value - s.value)), max(abs(d.se - s.se)),
               count(*) FILTER (WHERE d.flag IS DISTINCT FROM s.flag
                                AND d.indicator IS NOT NULL AND s.indicator IS NOT NULL)
        FROM read_parquet('{duck}') d FULL JOIN read_parquet('{spark}') s ON {on}
        """
    ).fetchone()
    assert row is not None
    only_duck, only_spark, both, dv, dse, flags = row
    return {
        "cells_only_duckdb": only_duck,
        "cells_only_spark": only_spark,
        "cells_joined": both,
        "max_value_diff": dv,
        "max_se_diff": dse,
        "flags_differing": flags,
        "equal_to_1e-9": bool(
            only_duck == 0
            and only_spark == 0
            and flags == 0
            and (dv or 0) <= TOLERANCE
            and (dse or 0) <= TOLERANCE
        ),
    }


def _progress(log: Path) -> list[str]:
    """The command's last progress lines, without Spark's warnings, the list of inputs
    (``files`` counts them) or this checkout's location."""
    lines = [
        ln.replace(f"{HERE.parent}/", "")
        for ln in log.read_text().splitlines()
        if not ln.startswith("WARN") and " WARN " not in ln and not ln.lstrip().startswith("inputs")
    ]
    return lines[-12:]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--records", type=int, default=100_000_000)
    p.add_argument("--memory-limit", default="4GB", help="DuckDB's cap (default: %(default)s)")
    p.add_argument("--skip-duckdb", action="store_true")
    p.add_argument("--skip-spark", action="store_true")
    p.add_argument("--spark-master", help="use this cluster instead of starting one")
    p.add_argument(
        "--driver-memory", default="2g", help="spark.driver.memory (default: %(default)s)"
    )
    p.add_argument("--out", type=Path, default=HERE / "results" / "estimate_100m.json")
    args = p.parse_args(argv)

    files = records(args.records)
    common = [_zaragoza(), "estimate", *map(str, files), "--by", "citizen,sex"]
    common += ["--gap", "citizen=NAT", "--strata", "STRATUM", "--psu", "PSU"]
    result: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "records": args.records,
        "files": len(files),
        "input_mb": round(sum(f.stat().st_size for f in files) / 2**20),
        "targets": {"duckdb_s": 150, "duckdb_memory_limit": args.memory_limit},
    }
    env = {**os.environ}
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        # the outputs are kept beside the records, to be compared again or inspected
        kept = DATA / f"estimates_{args.records}"
        kept.mkdir(parents=True, exist_ok=True)
        duck_out, spark_out = kept / "duckdb.parquet", kept / "spark.parquet"
        if not args.skip_duckdb:
            cmd = [*common, "--memory-limit", args.memory_limit, "--out", str(duck_out)]
            print(f"DuckDB, --memory-limit {args.memory_limit} ...", flush=True)
            result["duckdb"] = timed(cmd, env, tmp / "duckdb.log")
            result["duckdb"]["progress"] = _progress(tmp / "duckdb.log")
            print(json.dumps(result["duckdb"], indent=2), flush=True)
        if not args.skip_spark:
            cluster = None if args.spark_master else Cluster(tmp)
            master = args.spark_master or (cluster.url if cluster else "")
            try:
                spark_env = {
                    **env,
                    "SPARK_LOCAL_IP": "127.0.0.1",
                    "PYSPARK_SUBMIT_ARGS": f"--driver-memory {args.driver_memory} pyspark-shell",
                }
                cmd = [*common, "--backend", "spark", "--spark-master", master]
                cmd += ["--out", str(spark_out)]
                print(f"Spark on {master}, driver memory {args.driver_memory} ...", flush=True)
                result["spark"] = timed(cmd, spark_env, tmp / "spark.log")
                result["spark"]["master"] = "standalone, 2 workers x 1 core, loopback"
                result["spark"]["driver_memory"] = args.driver_memory
                result["spark"]["progress"] = _progress(tmp / "spark.log")
                print(json.dumps(result["spark"], indent=2), flush=True)
            finally:
                if cluster:
                    cluster.stop()
        if duck_out.exists() and spark_out.exists():
            result["comparison"] = compare(duck_out, spark_out)
            print(json.dumps(result["comparison"], indent=2), flush=True)
    # a backend skipped in this run keeps its figures from the last run that timed it
    earlier = json.loads(args.out.read_text()) if args.out.exists() else {}
    for backend in ("duckdb", "spark"):
        if backend not in result and backend in earlier:
            result[backend] = {**earlier[backend], "from_an_earlier_run": True}
    if "duckdb" in result:
        result["duckdb_target_met"] = result["duckdb"]["wall_s"] < 150
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
