"""Per-stage CPU budget of a check: read, walk, rules, report, JSON, then the native TR3 check (what
the default check adds), in microseconds per claim.

``python -m bench.stages [--claims 10000] [--repeat 5]`` times cumulative passes over the same bench
file in one process (reference data loaded and warmed up first): segments only; segments and the
walker; then the rules; then the claim reports; then the whole ``Pipeline.check`` into the JSON
writer; then the same with the native structure check (TR3). Each stage is the difference between
two passes. CPU time (``time.process_time``), not wall time, because the machines it runs on are
shared; the median of ``--repeat`` runs is printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from bench.files import ensure_file
from scrubber.model import Claim
from scrubber.pipeline import Pipeline
from scrubber.report.json_report import JsonWriter
from scrubber.structure.native.validator import NativeValidator
from scrubber.transaction.walker import Walker
from scrubber.workflows.setup import build_pipeline
from scrubber.x12.reader import SegmentReader

OUT = Path(__file__).parent / "out"
AS_OF = dt.date(2026, 12, 1)


def _read(pipeline: Pipeline, data: bytes) -> None:
    for _ in SegmentReader(io.BytesIO(data)):
        pass


def _claims(data: bytes) -> list[Claim]:
    walker = Walker()
    return [item for item in walker.walk(SegmentReader(io.BytesIO(data), walker.on_issue)) if isinstance(item, Claim)]


def _walk(pipeline: Pipeline, data: bytes) -> None:
    walker = Walker()
    for _ in walker.walk(SegmentReader(io.BytesIO(data), walker.on_issue)):
        pass


def _rules(pipeline: Pipeline, data: bytes) -> None:
    judge = pipeline.engine.judge
    walker = Walker()
    for item in walker.walk(SegmentReader(io.BytesIO(data), walker.on_issue)):
        if isinstance(item, Claim):
            judge(item)


def _report(pipeline: Pipeline, data: bytes) -> None:
    judge = pipeline.judge
    walker = Walker()
    for item in walker.walk(SegmentReader(io.BytesIO(data), walker.on_issue)):
        if isinstance(item, Claim):
            judge(item)


def _json(pipeline: Pipeline, data: bytes) -> None:
    out = io.StringIO()
    writer = JsonWriter(out)
    writer.begin(1)
    pipeline.check(data, writer, "bench.837")
    writer.close()


def _structure(pipeline: Pipeline, data: bytes) -> None:
    """The default check: the same, with the native TR3 check in the pass."""
    _json(Pipeline(pipeline.engine, "native", native=NativeValidator), data)


PASSES: list[tuple[str, Callable[[Pipeline, bytes], None]]] = [
    ("read", _read),
    ("walk", _walk),
    ("rules", _rules),
    ("report", _report),
    ("JSON", _json),
    ("TR3", _structure),
]


def cpu_of(run: Callable[[Pipeline, bytes], None], pipeline: Pipeline, data: bytes) -> float:
    started = time.process_time()
    run(pipeline, data)
    return time.process_time() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.stages", description=__doc__)
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    import logging

    logging.disable(logging.CRITICAL)
    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.CRITICAL))
    data = ensure_file(OUT / "files", args.claims).path.read_bytes()
    pipeline = build_pipeline(structure="off", as_of=AS_OF)
    _structure(pipeline, data)  # loads the code sets and grammar, fills the memos a long run would have filled
    runs: dict[str, list[float]] = {name: [] for name, _ in PASSES}
    for _ in range(args.repeat):
        for name, run in PASSES:
            runs[name].append(cpu_of(run, pipeline, data))
    medians = {name: statistics.median(times) for name, times in runs.items()}
    previous = 0.0
    print(f"{'stage':8} {'us/claim':>9}   (CPU, median of {args.repeat}, {args.claims:,} claims)")
    for name, _ in PASSES:
        total = medians[name]
        print(f"{name:8} {(total - previous) / args.claims * 1e6:>9.1f}")
        previous = total
    print(f"{'total':8} {previous / args.claims * 1e6:>9.1f}   = {args.claims / previous:,.0f} claims/s of CPU")


if __name__ == "__main__":
    main()
