"""Claims per second on Spark (1 and 2 executors) against `scrubber check --jobs 2`, same file, one run.

``python -m bench.spark [--claims 100000] [--file PATH] [--structure native] [--warmup-claims N]``
generates (or takes) the file, measures `scrubber check` in one process and with ``--jobs 2``
(bench.child: imports excluded, the JSON report written), then starts a Spark standalone cluster
on loopback (two workers of one core each, PySpark's own ``spark-class``) and runs
`scrubber.spark` on it with one executor and with two (``spark.cores.max``), each in a fresh
driver process that first scrubs the same file once (or a file of ``--warmup-claims``): the JVMs'
JIT and the Python workers warm, as in a long-running cluster. Planning, checking, merging and
writing the five Parquet tables of the measured file are timed; start-up and warm-up are
reported apart.

Besides claims per second (wall clock), each mode's CPU seconds are measured (wait4 for `check`;
for Spark, /proc for the driver's JVM and Python and the executors' JVMs and Python workers,
those that ended included, by role) and the Spark processes' peak RSS: claims per CPU second is
the per-core rate a cluster can be sized from, and it holds up on a machine shared with other
work, where wall-clock rates do not. Results go to ``bench/out/spark-latest.json`` and a
time-stamped copy, with the load average before and after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.files import BenchFile, ensure_file
from bench.run import OUT

AS_OF = "2026-12-01"


def child(args: argparse.Namespace) -> None:
    """One Spark run in this process: start a session, wait for the executors, warm up, then scrub,
    write and count the measured file; CPU seconds of the driver and the executors are read from /proc."""
    started = time.perf_counter()
    from scrubber.spark import scrub, spark_session

    conf = {"spark.cores.max": str(args.executors), "spark.executor.cores": "1", "spark.executor.memory": "2g"}
    spark = spark_session(args.master, app_name=f"bench-{args.executors}", conf=conf)
    _wait_for_executors(spark, args.executors)
    ready = time.perf_counter()
    as_of = dt.date.fromisoformat(AS_OF)
    if args.warmup:  # JIT and Python workers warm, as in a long-running job
        warm = scrub(spark, [args.warmup], structure=args.structure, as_of=as_of)
        warm.write(f"{args.out}-warmup")
        warm.outcome()
        warm.unpersist()
    warmed = time.perf_counter()
    executors = _executor_count(spark)
    cpu_before = _tree_cpu(spark)
    python_before = time.process_time()
    begun = time.perf_counter()
    tables = scrub(spark, [args.file], structure=args.structure, as_of=as_of)
    tables.write(args.out)
    outcome = tables.outcome()
    done = time.perf_counter()
    cpu_after = _tree_cpu(spark)
    cpu = {part: cpu_after[part] - cpu_before[part] for part in cpu_after}
    cpu["driver_python"] = time.process_time() - python_before
    peak = _peak_rss(spark)
    spark.stop()
    print(
        json.dumps(
            {
                "claims": outcome.claims,
                "seconds": done - begun,
                "startup_seconds": ready - started,
                "warmup_seconds": warmed - ready,
                "cpu_seconds": sum(cpu.values()),
                "cpu_parts": cpu,
                "executor_processes": executors,
                "peak_rss_mib": peak,
            }
        )
    )


def _wait_for_executors(spark: object, count: int, timeout: float = 180) -> None:
    context = spark.sparkContext  # type: ignore[attr-defined]
    deadline = time.monotonic() + timeout
    while context._jsc.sc().getExecutorMemoryStatus().size() - 1 < count:  # the driver is listed too
        if time.monotonic() > deadline:
            raise RuntimeError(f"fewer than {count} executors registered within {timeout:.0f} s")
        time.sleep(0.5)


def _processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) of every process."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        found[int(entry.name)] = (int(stat.rsplit(")", 1)[1].split()[1]), command)
    return found


def _cpu(pid: int) -> tuple[float, float]:
    """(own, reaped): user and system CPU seconds of a running process, and of the children it has
    waited for ((0, 0) once it is gone: its seconds are then in its parent's reaped ones)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0, 0.0
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick


def _executor_count(spark: object) -> int:
    app = spark.sparkContext.applicationId  # type: ignore[attr-defined]
    return sum("CoarseGrainedExecutorBackend" in command and app in command for _, command in _processes().values())


def _roles(spark: object) -> dict[str, list[int]]:
    """This application's processes by role: the driver JVM (and anything under it), the executor
    JVMs, and the Python processes under the executors (PySpark's daemon and workers)."""
    app = spark.sparkContext.applicationId  # type: ignore[attr-defined]
    table = _processes()
    roles: dict[str, list[int]] = {"driver_jvm": [], "executor_jvm": [], "executor_python": []}
    for pid, (parent, command) in table.items():
        if "CoarseGrainedExecutorBackend" in command and app in command:
            roles["executor_jvm"].append(pid)
            roles["executor_python"] += _under(table, pid)
        elif parent == os.getpid() and "java" in command:
            roles["driver_jvm"] += [pid, *_under(table, pid)]
    return roles


def _tree_cpu(spark: object) -> dict[str, float]:
    """CPU seconds so far of this application's processes, by role (:func:`_roles`).

    Each live process counts its own seconds and those of the children it reaped, so a Python
    worker that ended between two readings is still counted (in its parent's), once: the
    difference of two readings is what the job used in between, whatever started or ended.
    """
    roles = _roles(spark)
    totals = {role: sum(sum(_cpu(pid)) for pid in pids) for role, pids in roles.items()}
    for pid in roles["executor_jvm"]:  # what an executor reaped were its Python processes
        reaped = _cpu(pid)[1]
        totals["executor_jvm"] -= reaped
        totals["executor_python"] += reaped
    return totals


def _peak_rss(spark: object) -> dict[str, float]:
    """Peak resident MiB (VmHWM): the driver JVM, the largest executor JVM, and the largest sum of
    one executor's Python processes (PySpark's daemon and its workers; shared pages counted twice)."""
    roles = _roles(spark)
    table = _processes()
    python_by_executor = [sum(map(_hwm, _under(table, pid))) for pid in roles["executor_jvm"]]
    return {
        "driver_jvm": max(map(_hwm, roles["driver_jvm"]), default=0.0),
        "executor_jvm": max(map(_hwm, roles["executor_jvm"]), default=0.0),
        "executor_python": max(python_by_executor, default=0.0),
    }


def _hwm(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    found = next((line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")), "0")
    return int(found) / 1024


def _under(table: dict[int, tuple[int, str]], root: int) -> list[int]:
    """Every process below ``root``."""
    found, queue = [], [root]
    while queue:
        parent = queue.pop()
        children = [pid for pid, (ppid, _) in table.items() if ppid == parent]
        found += children
        queue += children
    return found


def spark_run(
    master: str, executors: int, file: BenchFile, warmup: BenchFile, structure: str, scratch: Path
) -> dict[str, object]:
    out = scratch / f"tables-{executors}"
    command = [sys.executable, "-m", "bench.spark", "--child", "--master", master, "--executors", str(executors)]
    command += ["--file", str(file.path.resolve()), "--warmup", str(warmup.path.resolve())]
    command += ["--structure", structure, "--out", str(out)]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=Path(__file__).parent.parent)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"the Spark run with {executors} executor(s) failed:\n{result.stderr[-3000:]}")
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    if measured["claims"] != file.claims:
        raise RuntimeError(f"Spark saw {measured['claims']} claims in a file of {file.claims}")
    if measured["executor_processes"] != executors:
        raise RuntimeError(f"{measured['executor_processes']} executor JVMs measured, {executors} asked for")
    return {
        "mode": f"spark standalone, {executors} executor(s) of 1 core",
        "claims": file.claims,
        "seconds": round(measured["seconds"], 3),
        "cpu_seconds": round(measured["cpu_seconds"], 3),
        "cpu_parts": {part: round(seconds, 3) for part, seconds in measured["cpu_parts"].items()},
        "peak_rss_mib": {role: round(mib) for role, mib in measured["peak_rss_mib"].items()},
        "startup_seconds": round(measured["startup_seconds"], 3),
        "warmup_seconds": round(measured["warmup_seconds"], 3),
        "wall_seconds": round(wall, 3),
        "claims_per_second": round(file.claims / measured["seconds"], 1),
        "claims_per_cpu_second": round(file.claims / measured["cpu_seconds"], 1),
    }


def check_run(label: str, options: tuple[str, ...], file: BenchFile) -> dict[str, object]:
    """`scrubber check` through bench.child; CPU seconds from wait4 (its --jobs workers included)."""
    command = [sys.executable, "-m", "bench.child", "scrubber", str(file.path.resolve()), *options]
    started = time.perf_counter()
    child_process = subprocess.Popen(command, stdout=subprocess.PIPE, cwd=Path(__file__).parent.parent)
    assert child_process.stdout is not None
    output = child_process.stdout.read()
    _, status, usage = os.wait4(child_process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{label} failed")
    measured = json.loads(output.decode().strip().splitlines()[-1])
    if measured["claims"] != file.claims:
        raise RuntimeError(f"{label} saw {measured['claims']} claims in a file of {file.claims}")
    cpu = usage.ru_utime + usage.ru_stime  # the whole child, interpreter start and imports included
    return {
        "mode": label,
        "claims": file.claims,
        "seconds": round(measured["seconds"], 3),
        "cpu_seconds": round(cpu, 3),
        "wall_seconds": round(wall, 3),
        "claims_per_second": round(file.claims / measured["seconds"], 1),
        "claims_per_cpu_second": round(file.claims / cpu, 1),
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
    parser.add_argument(
        "--warmup-claims",
        type=int,
        help="claims of the warm-up scrub in each Spark application (default: the measured file itself)",
    )
    parser.add_argument("--warmup", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        args.file = str(args.file)
        child(args)
        return
    from scrubber.workflows.spark.standalone import local_cluster

    file = BenchFile(args.claims, args.file) if args.file else ensure_file(OUT / "files", args.claims)
    warmup = ensure_file(OUT / "files", args.warmup_claims) if args.warmup_claims else file
    load_before = os.getloadavg()
    results: list[dict[str, object]] = []
    for label, options in (("scrubber check", ()), ("scrubber check --jobs 2", ("--jobs", "2"))):
        print(f"... {label} on {file.claims:,} claims", file=sys.stderr, flush=True)
        results.append(check_run(label, ("--structure", args.structure, "--as-of", AS_OF, *options), file))
    with (
        tempfile.TemporaryDirectory(prefix="bench-spark-") as scratch,
        local_cluster(Path(scratch) / "cluster", workers=2, cores=1, memory="3g") as cluster,
    ):
        for executors in (1, 2):
            print(f"... spark with {executors} executor(s) on {file.claims:,} claims", file=sys.stderr, flush=True)
            results.append(spark_run(cluster.master_url, executors, file, warmup, args.structure, Path(scratch)))
    load_after = os.getloadavg()
    reference = next(r for r in results if r["mode"] == "scrubber check --jobs 2")
    header = f"{'claims':>8} {'seconds':>8} {'claims/s':>9} {'vs --jobs 2':>11} {'CPU s':>7} {'claims/CPU s':>12}"
    print(f"{'mode':42} {header}")
    for r in results:
        ratio = float(r["claims_per_second"]) / float(reference["claims_per_second"])  # type: ignore[arg-type]
        print(
            f"{r['mode']:42} {r['claims']:>8,} {r['seconds']:>8.1f} {r['claims_per_second']:>9,.0f} "
            f"{ratio:>10.2f}x {r['cpu_seconds']:>7.1f} {r['claims_per_cpu_second']:>12,.0f}"
        )
    spark_rows = [r for r in results if "startup_seconds" in r]
    for r in spark_rows:
        warm = f"warm-up ({warmup.claims:,} claims) {r['warmup_seconds']:.1f} s"
        parts = ", ".join(f"{part} {seconds:.1f}" for part, seconds in r["cpu_parts"].items())  # type: ignore[attr-defined]
        rss = ", ".join(f"{role} {mib}" for role, mib in r["peak_rss_mib"].items())  # type: ignore[attr-defined]
        print(f"{r['mode']}: start-up {r['startup_seconds']:.1f} s, {warm}; CPU s: {parts}; peak RSS MiB: {rss}")
    print(f"load average before {load_before[0]:.1f}, after {load_after[0]:.1f} (1 min) on {os.cpu_count()} cores")
    document = {
        "schema": "scrubber.bench-spark/1",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "file": {"path": str(file.path), "claims": file.claims, "bytes": file.size},
        "warmup_claims": warmup.claims,
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
