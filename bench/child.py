"""One measured mode, run in its own process so that its peak RSS is its own.

``python -m bench.child MODE FILE [scrubber check options...]`` prints one JSON line with the
claims seen, the seconds spent and the CPU seconds spent by this process and the worker processes
it waited for (imports and interpreter start excluded; the parent also records the wall time of the
whole process). CPU time is the steadier figure on a shared machine.
"""

from __future__ import annotations

import contextlib
import io
import json
import resource
import sys
import time
from pathlib import Path


def scrubber_check(path: str, options: list[str]) -> int:
    """`scrubber check --format json` through the real CLI, report written to a scratch file."""
    try:
        from scrubber.cli.app import app
    except ImportError:  # a checkout from before the cli package
        from scrubber.cli import app  # type: ignore[attr-defined,no-redef]

    out = Path(__file__).parent / "out" / "scratch-report.json"
    args = ["--log-level", "error", "check", "--format", "json", "--output", str(out), *options, path]
    try:
        app(args, standalone_mode=False)
    except SystemExit as done:  # typer raises Exit for the exit code; 1 means rejected claims
        if done.code not in (0, 1, None):
            raise
    with out.open("rb") as report:
        report.seek(0, 2)
        size = report.tell()
        report.seek(max(0, size - 4096))
        tail = report.read().decode()
    marker = '"summary": {"claims": '
    return int(tail[tail.rindex(marker) + len(marker) :].split(",", 1)[0])


def pyx12_validate(path: str) -> int | None:
    """pyx12's full TR3 validation (x12n_document) with a 999 written to memory."""
    import pyx12.params
    import pyx12.x12n_document

    pyx12.x12n_document.x12n_document(pyx12.params.params(), path, io.StringIO(), None, None)
    return None  # pyx12 does not count claims; the parent knows how many the file holds


def pyx12_walk(path: str) -> int:
    """pyx12's X12ContextReader, iterating over the 2300 (claim) loops as trees."""
    import pyx12.error_handler
    import pyx12.params
    import pyx12.x12context

    claims = 0
    with pyx12.x12context.X12ContextReader(pyx12.params.params(), pyx12.error_handler.errh_null(), path) as reader:
        for node in reader.iter_segments("2300"):
            if node.id == "2300":
                claims += 1
    return claims


def cpu_seconds() -> float:
    """User and system time of this process and of the children it has waited for (--jobs workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def main() -> None:
    import logging

    logging.disable(logging.CRITICAL)  # pyx12 logs every error; the benchmark measures, not reads
    mode, path, *options = sys.argv[1:]
    if mode == "scrubber":  # module imports are start-up cost, not per-file work; rule loading is timed
        import importlib

        for module in ("scrubber.cli.app", "scrubber.cli", "scrubber.workflows.check", "scrubber.workflows.run"):
            with contextlib.suppress(ImportError):  # this checkout's modules, whatever its layout
                importlib.import_module(module)
    started, cpu_started = time.perf_counter(), cpu_seconds()
    if mode == "scrubber":
        claims = scrubber_check(path, options)
    elif mode == "pyx12-validate":
        claims = pyx12_validate(path)
    elif mode == "pyx12-walk":
        claims = pyx12_walk(path)
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    seconds = time.perf_counter() - started
    print(json.dumps({"claims": claims, "seconds": seconds, "cpu_seconds": cpu_seconds() - cpu_started}))


if __name__ == "__main__":
    main()
