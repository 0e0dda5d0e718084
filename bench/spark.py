"""Claims per second on Spark (1 and 2 executors) against `scrubber check --jobs 2`, same file, one run.

``python -m bench.spark [--claims 100000] [--file PATH] [--structure native]`` generates (or takes)
the file, measures `scrubber check` in one process and with ``--jobs 2`` (bench.child: imports
excluded, the JSON report written), then starts a Spark standalone cluster on loopback (two
workers of one core each, PySpark's own ``spark-class``) and runs `scrubber.spark` on it with one
executor and with two (``spark.cores.max``), each in a fresh driver process: planning, checking,
merging and writing the five Parquet tables are timed, the JVM and session start-up is reported
apart. Results go to ``bench/out/spark-latest.json`` and a time-stamped copy. The machine's load
average is recorded before and after: on a shared machine the figures are only comparable within
one run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.files import BenchFile, ensure_file
from bench.run import OUT, Mode, measure

AS_OF = "2026-12-01"


def child(args: argparse.Namespace) -> None:
    """One Spark run in this process: start a session, wait for the executors, scrub, write, count."""
    started = time.perf_counter()
    from scrubber.spark import scrub, spark_session

    conf = {"spark.cores.max": str(args.executors), "spark.executor.cores": "1", "spark.executor.memory": "2g"}
    spark = spark_session(args.master, app_name=f"bench-{args.executors}", conf=conf)
    _wait_for_executors(spark, args.executors)
    ready = time.perf_counter()
    tables = scrub(spark, [args.file], structure=args.structure, as_of=dt.date.fromisoformat(AS_OF))
    tables.write(args.out)
    outcome = tables.outcome()
    done = time.perf_counter()
    spark.stop()
    print(json.dumps({"claims": outcome.claims, "seconds": done - ready, "startup_seconds": ready - started}))


def _wait_for_executors(spark: object, count: int, timeout: float = 180) -> None:
    context = spark.sparkContext  # type: ignore[attr-defined]
    deadline = time.monotonic() + timeout
    while context._jsc.sc().getExecutorMemoryStatus().size() - 1 < count:  # the driver is listed too
        if time.monotonic() > deadline:
            raise RuntimeError(f"fewer than {count} executors registered within {timeout:.0f} s")
        time.sleep(0.5)


def spark_run(master: str, executors: int, file: BenchFile, structure: str, scratch: Path) -> dict[str, object]:
    out = scratch / f"tables-{executors}"
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "bench.spark", "--child", "--master", master, "--executors", str(executors)]
    command += ["--file", str(file.path.resolve()), "--structure", structure, "--out", str(out)]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=Path(__file__).parent.parent)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"the Spark run with {executors} executor(s) failed:\n{result.stderr[-3000:]}")
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    if measured["claims"] != file.claims:
        raise RuntimeError(f"Spark saw {measured['claims']} claims in a file of {file.claims}")
    return {
        "mode": f"spark standalone, {executors} executor(s) of 1 core",
        "claims": file.claims,
        "seconds": round(measured["seconds"], 3),
        "startup_seconds": round(measured["startup_seconds"], 3),
        "wall_seconds": round(wall, 3),
        "claims_per_second": round(file.claims / measured["seconds"], 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.spark", description=__doc__)
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--file", type=Path, help="an 837P file of --claims claims (default: generated)")
    parser.add_argument("--structure", default="native", choices=["native", "off"])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--master", help=argparse.SUPPRESS)
    parser.add_argument("--executors", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        args.file = str(args.file)
        child(args)
        return
    from scrubber.workflows.spark.standalone import local_cluster

    file = BenchFile(args.claims, args.file) if args.file else ensure_file(OUT / "files", args.claims)
    load_before = os.getloadavg()
    results: list[dict[str, object]] = []
    for label, options in (("scrubber check", ()), ("scrubber check --jobs 2", ("--jobs", "2"))):
        print(f"... {label} on {file.claims:,} claims", file=sys.stderr, flush=True)
        found = measure(Mode(label, "scrubber", ("--structure", args.structure, "--as-of", AS_OF, *options)), file)
        results.append({**found.__dict__, "startup_seconds": None})
    with (
        tempfile.TemporaryDirectory(prefix="bench-spark-") as scratch,
        local_cluster(Path(scratch) / "cluster", workers=2, cores=1, memory="3g") as cluster,
    ):
        for executors in (1, 2):
            print(f"... spark with {executors} executor(s) on {file.claims:,} claims", file=sys.stderr, flush=True)
            results.append(spark_run(cluster.master_url, executors, file, args.structure, Path(scratch)))
    load_after = os.getloadavg()
    reference = next(r for r in results if r["mode"] == "scrubber check --jobs 2")
    print(f"{'mode':44} {'claims':>8} {'claims/s':>9} {'seconds':>8} {'start-up s':>10} {'vs --jobs 2':>11}")
    for r in results:
        ratio = float(r["claims_per_second"]) / float(reference["claims_per_second"])  # type: ignore[arg-type]
        startup = f"{r['startup_seconds']:.1f}" if r.get("startup_seconds") is not None else "-"
        speed = f"{r['claims_per_second']:>9,.0f} {r['seconds']:>8.1f}"
        print(f"{r['mode']:44} {r['claims']:>8,} {speed} {startup:>10} {ratio:>10.2f}x")
    print(f"load average before {load_before[0]:.1f}, after {load_after[0]:.1f} (1 min) on {os.cpu_count()} cores")
    document = {
        "schema": "scrubber.bench-spark/1",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "file": {"path": str(file.path), "claims": file.claims, "bytes": file.size},
        "structure": args.structure,
        "load_average": {"before": load_before, "after": load_after},
        "results": results,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    for path in (OUT / f"spark-{stamp}.json", OUT / "spark-latest.json"):
        path.write_text(json.dumps(document, indent=2) + "\n")
    print(f"written: {OUT / f'spark-{stamp}.json'}")


if __name__ == "__main__":
    main()
