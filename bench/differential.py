"""Differential test of the native TR3 check against pyx12: ``python -m bench.differential``.

Per file, both engines read the same segments (scrubber's reader) and the comparison is on
the set of (segment position, X12 rule via RULE_FOR_ERROR, element reference), and on the 999's
IK3/IK4 codes. A file where pyx12 stops on one of its known defects (it raises inside its own
code, see docs/structure-differences.md) is compared up to the segment where pyx12 stopped and
counted as "explained" when that part is identical; every other difference is "different".

    python -m bench.differential --mutants 5000 --seed 1 [--jobs 2] [--show 10]
    python -m bench.differential --speed bench/out/claims-10000.837 [--no-pyx12]
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from bench.mutants import KINDS, Mutant, mutant
from scrubber.acks.ack999 import can_acknowledge, write_999
from scrubber.rules.tr3 import rule_for
from scrubber.structure.issues import StructureIssue
from scrubber.structure.native.validator import NativeValidator
from scrubber.structure.pyx12_adapter import StructureResult, validate
from scrubber.x12.reader import NotX12Error, SegmentReader

Key = tuple[int, str, str]

# pyx12 4.0 failures inside its own code ("engine" issues), by the exception text it stops with
KNOWN_DEFECTS = (
    ("index-error", re.compile(r"IndexError: list index out of range")),
    ("ge01-not-a-number", re.compile(r"ValueError: invalid literal for int")),
    ("rd8-two-dashes", re.compile(r"ValueError: too many values to unpack")),
)
_NO_ENVELOPE = re.compile(r"closes no open")


def _defect(stop: StructureIssue, ours: list[StructureIssue]) -> str | None:
    """Which known pyx12 defect stopped it (an IndexError is either of two, told apart by what the
    native check says about the segment pyx12 was reading: a trailer with no envelope open)."""
    name = next((name for name, pattern in KNOWN_DEFECTS if pattern.search(stop.message)), None)
    if name != "index-error":
        return name
    at = stop.segment.index if stop.segment is not None else 0
    if any(i.segment is not None and i.segment.index > at and _NO_ENVELOPE.search(i.message) for i in ours):
        return "trailer-without-envelope"
    return "composite-extra-component"


@dataclass
class Outcome:
    kind: str
    verdict: str  # identical | explained:<defect> | different
    native_only: list[StructureIssue] = field(default_factory=list)
    pyx12_only: list[StructureIssue] = field(default_factory=list)
    ack: str = "same"  # same | different | n/a
    ack_detail: str = ""


def issue_key(issue: StructureIssue) -> Key:
    index = issue.segment.index if issue.segment is not None else 0
    return (index, rule_for(issue.level, issue.code).code, issue.element_ref)


def run_native(data: bytes) -> tuple[list[StructureIssue], NativeValidator]:
    validator = NativeValidator()
    try:
        issues = validator.check_batches(SegmentReader(io.BytesIO(data)).batches())
    except NotX12Error:
        issues = []
    return issues, validator


def ack_codes(text: str) -> Counter[tuple[str, ...]]:
    """IK3 (segment id, position, code) and IK4 (position, data element, code) of a 999."""
    found: Counter[tuple[str, ...]] = Counter()
    for raw in text.split("~"):
        elements = raw.strip().split("*")
        if elements[0] == "IK3" and len(elements) > 4:
            found[("IK3", elements[1], elements[2], elements[4])] += 1
        elif elements[0] == "IK4" and len(elements) > 3:
            found[("IK4", elements[1], elements[2], elements[3])] += 1
    return found


def _pyx12_ack(result: StructureResult) -> Counter[tuple[str, ...]] | None:
    if not result.can_acknowledge:
        return None
    out = io.StringIO()
    try:
        result.write_999(out)
    except Exception:  # pyx12 cannot write some trees (its visitor raises): nothing to compare
        return None
    return ack_codes(out.getvalue())


def _native_ack(validator: NativeValidator) -> Counter[tuple[str, ...]] | None:
    if not can_acknowledge(validator.ack):
        return None
    out = io.StringIO()
    write_999(validator.ack, out)
    return ack_codes(out.getvalue())


def compare(data: bytes, kind: str = "", directory: str | None = None) -> Outcome:
    """Run both engines on one file's bytes and compare them."""
    with tempfile.NamedTemporaryFile(dir=directory, suffix=".x12", delete=False) as handle:
        handle.write(data)
    try:
        theirs = validate(handle.name)
    finally:
        os.unlink(handle.name)
    ours, validator = run_native(data)
    ours_keys = {issue_key(i) for i in ours}
    stop = next((i for i in theirs.errors if i.level == "engine"), None)
    theirs_issues = [i for i in theirs.errors if i.level != "engine"]
    verdict = "identical"
    if stop is not None:
        defect = _defect(stop, ours)
        limit = stop.segment.index if stop.segment is not None else 0
        ours_cut = [i for i in ours if issue_key(i)[0] < limit]
        theirs_cut = [i for i in theirs_issues if issue_key(i)[0] < limit]
        same = {issue_key(i) for i in ours_cut} == {issue_key(i) for i in theirs_cut}
        if defect is not None:
            verdict = f"explained:{defect}" if same else "different"
            ours, theirs_issues = ours_cut, theirs_cut
        else:
            theirs_issues = theirs.errors
    theirs_keys = {issue_key(i) for i in theirs_issues}
    ours_keys = {issue_key(i) for i in ours}
    outcome = Outcome(kind, verdict)
    if ours_keys != theirs_keys:
        outcome.verdict = "different"
        outcome.native_only = [i for i in ours if issue_key(i) not in theirs_keys]
        outcome.pyx12_only = [i for i in theirs_issues if issue_key(i) not in ours_keys]
    if stop is None:
        mine, pyx = _native_ack(validator), _pyx12_ack(theirs)
        if mine is None or pyx is None:
            outcome.ack = "n/a" if mine is None and pyx is None else "different"
        elif mine != pyx:
            outcome.ack = "different"
            extra, missing = sorted((mine - pyx).elements()), sorted((pyx - mine).elements())
            outcome.ack_detail = f"native-only {extra} pyx12-only {missing}"
    else:
        outcome.ack = "n/a"
    return outcome


def _check(args: tuple[int, int, int]) -> list[tuple[Mutant, Outcome]]:
    seed, start, count = args
    found = []
    for number in range(start, start + count):
        item = mutant(seed, number)
        found.append((item, compare(item.data, item.kind)))
    return found


def run(count: int, seed: int, jobs: int = 1, chunk: int = 50) -> Iterable[tuple[Mutant, Outcome]]:
    batches = [(seed, start, min(chunk, count - start)) for start in range(0, count, chunk)]
    if jobs <= 1:
        for batch in batches:
            yield from _check(batch)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for results in pool.map(_check, batches):
            yield from results


def _describe(issue: StructureIssue) -> str:
    index, rule, ref = issue_key(issue)
    return f"segment {index} {rule} {ref or '-'} ({issue.level} {issue.code}: {issue.message[:90]})"


def speed(path: str, with_pyx12: bool) -> None:
    """Time the reader, the native check (fed the reader's segments) and pyx12 on one file."""
    started = time.process_time()
    with open(path, "rb") as handle:
        segments = list(SegmentReader(handle))
    reading = time.process_time() - started
    claims = sum(1 for segment in segments if segment.id == "CLM") or 1
    validator = NativeValidator()
    validator.feed(segments[0])  # the grammar is loaded (from the cache) before the clock starts
    started = time.process_time()
    issues = sum(len(validator.feed(segment)) for segment in segments[1:]) + len(validator.finish())
    checking = time.process_time() - started
    print(f"{path}: {claims} claims, {len(segments)} segments")
    print(f"  reader alone:     {reading:7.2f} s CPU  {1e6 * reading / claims:8.1f} us/claim")
    print(f"  native check:     {checking:7.2f} s CPU  {1e6 * checking / claims:8.1f} us/claim ({issues} issues)")
    if with_pyx12:
        started = time.process_time()
        result = validate(path)
        theirs = time.process_time() - started
        print(f"  pyx12 validate(): {theirs:7.2f} s CPU  {1e6 * theirs / claims:8.1f} us/claim "
              f"({len(result.errors)} issues); native is {theirs / checking:.0f}x faster")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.differential", description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=max(1, (os.cpu_count() or 1)))
    parser.add_argument("--show", type=int, default=5, help="print this many differing mutants")
    parser.add_argument("--speed", metavar="FILE", help="time the native check (and pyx12) on FILE instead")
    parser.add_argument("--no-pyx12", action="store_true", help="with --speed: skip pyx12")
    options = parser.parse_args(argv)
    import logging

    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))
    if options.speed:
        speed(options.speed, not options.no_pyx12)
        return 0
    started = time.perf_counter()
    table: dict[str, Counter[str]] = {kind: Counter() for kind in KINDS}
    acks: Counter[str] = Counter()
    shown = 0
    for item, outcome in run(options.mutants, options.seed, options.jobs):
        table[item.kind][outcome.verdict] += 1
        acks[outcome.ack] += 1
        if (outcome.verdict == "different" or outcome.ack == "different") and shown < options.show:
            shown += 1
            print(f"-- mutant {item.seed}:{item.number} {item.kind} on {item.source}: {item.detail}")
            for issue in outcome.native_only:
                print(f"   native only: {_describe(issue)}")
            for issue in outcome.pyx12_only:
                print(f"   pyx12 only:  {_describe(issue)}")
            if outcome.ack == "different":
                print(f"   999: {outcome.ack_detail}")
    verdicts = sorted({v for counts in table.values() for v in counts})
    width = max(len(k) for k in KINDS)
    print(f"\n{'kind':<{width}}  " + "  ".join(f"{v:>12}" for v in verdicts))
    total: Counter[str] = Counter()
    for kind in KINDS:
        total.update(table[kind])
        print(f"{kind:<{width}}  " + "  ".join(f"{table[kind][v]:>12}" for v in verdicts))
    print(f"{'total':<{width}}  " + "  ".join(f"{total[v]:>12}" for v in verdicts))
    count = sum(total.values())
    print(f"\nidentical: {total['identical']} of {count} ({100 * total['identical'] / max(count, 1):.2f}%), "
          f"999 IK3/IK4: {dict(acks)}; {time.perf_counter() - started:.0f}s")
    return 0 if total["different"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
