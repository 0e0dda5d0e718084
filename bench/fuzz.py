"""Mutational fuzzing of ``scrubber check``: seeded mutants of real 837P files, run through the CLI.

``python -m bench.fuzz --runs 10000 --seed 7`` makes 10,000 mutants of the TR3 examples and the
demo file (:mod:`bench.mutations`), checks each with ``scrubber check --format json`` in every
mode of ``--modes`` (no structure check, the native engine, pyx12), and prints a table: runs,
tracebacks, internal errors, incomplete JSON, timeouts, PHI on stderr, exit codes, and mutants
whose claims differ with and without a structure check.
Failing mutants are written to ``bench/out/fuzz/`` with a JSON summary, so each can be replayed
(``--only INDEX`` rebuilds one mutant from the seed).

Runs are forked from one warmed-up process (:mod:`bench.fuzz_runner`), about ten times cheaper
than a new interpreter each; ``--verify N`` re-runs the first N mutants in real ``python -m
scrubber.cli`` processes and counts any difference in exit code, stdout or stderr (timestamps and
load-once log events aside).

``--input path|stdin|fifo`` hands the mutant over as a file path, as standard input through a pipe
(``-``, not seekable) or through a named pipe; pipes are fed by a grandchild process.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench.fuzz_runner import ForkRunner, Run, comparable_stderr, real_cli
from bench.mutations import REJECT, SAME_CLAIMS, Layout, mutate, segments

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out" / "fuzz"
# Modes a campaign can run each mutant in. "no-structure" is always one (claims are compared
# against it); "structure" is whatever the checkout's default is, for checkouts that predate
# --structure (they know --no-structure and a pyx12 default only).
ALL_MODES: dict[str, tuple[str, ...]] = {
    "no-structure": ("--no-structure",),
    "native": ("--structure", "native"),
    "pyx12": ("--structure", "pyx12"),
    "structure": (),
}
PLAIN = "no-structure"
DEFAULT_MODES = ("no-structure", "native", "pyx12")
# Table columns: what a run can get wrong. The last two use the mutation's expectation: a mutant
# with a byte outside the character set (or a broken ISA, a stray trailer) that is readable but
# gets no ENV/X12 error (rule, segment, element) its source did not have; claims lost to a change of
# layout only (line breaks, indentation, other delimiters).
PROBLEMS: dict[str, str] = {
    "traceback": "tracebacks",
    "internal-error": "internal errors",
    "incomplete-json": "incomplete JSON",
    "timeout": "timeouts",
    "bad-exit": "other exit",
    "phi-on-stderr": "PHI on stderr",
    "bad-summary": "bad summary",
    "unflagged": "broken unflagged",
    "claims-lost": "claims lost",
}


def corpus(root: Path = ROOT) -> list[Path]:
    """The files mutants are made from: the TR3 examples and the demo file."""
    return [*sorted((root / "fixtures" / "tr3").glob("*.edi")), root / "fixtures" / "examples" / "demo-claims.837"]


@dataclass
class Mutant:
    index: int
    source: str
    mutations: list[str]
    data: bytes
    expect: str = ""  # bench.mutations.REJECT or SAME_CLAIMS when the mutation's effect is certain


def make_mutant(seed: int, index: int, sources: list[Path]) -> Mutant:
    """Mutant ``index`` of campaign ``seed``: a pure function of both (and the corpus)."""
    rng = random.Random(f"{seed}:{index}")
    source = rng.choice(sources)
    data, names, expect = mutate(source.read_bytes(), rng)
    return Mutant(index, source.name, names, data, expect)


# -- judging a run ---------------------------------------------------------------------------------

_WINDOW = 8  # bytes: long enough not to turn up in log lines by chance


def phi_tokens(data: bytes) -> set[bytes]:
    """Every run of 8 bytes of an NM1 (names, ids) or DMG (birth date) segment: none may reach stderr.

    Runs of digits alone are left out: they turn up in byte counts and timings by chance (the
    birth date is still caught with its qualifier, ``D8*1980``).
    """
    layout = Layout.of(data)
    tokens: set[bytes] = set()
    for piece in segments(data, layout):
        text = piece.strip(b" \t\r\n").removesuffix(layout.terminator)
        if not text.startswith((b"NM1", b"DMG")):
            continue
        for start in range(max(len(text) - _WINDOW + 1, 0)):
            window = text[start : start + _WINDOW]
            if window.strip(b"0123456789 "):
                tokens.add(window)
    return tokens


@dataclass
class Verdict:
    problems: list[str] = field(default_factory=list)
    claims: list[str] | None = None  # claim ids in order; None when the JSON did not parse
    unreadable: bool = False
    code: int = 0
    syntax_errors: set[tuple[str, int, str]] = field(default_factory=set)  # (rule, segment, element), ENV/X12


def judge(run: Run, tokens: set[bytes], path: Path) -> Verdict:
    verdict = Verdict(code=run.code)
    if run.timed_out:
        verdict.problems.append("timeout")
        return verdict
    err = run.stderr.decode("utf-8", "replace")
    out = run.stdout.decode("utf-8", "replace")
    if "Traceback (most recent call last)" in err + out:
        verdict.problems.append("traceback")
    if "internal error" in err:
        verdict.problems.append("internal-error")
    if run.code not in (0, 1, 2):
        verdict.problems.append("bad-exit")
    scrubbed = run.stderr.replace(str(path).encode(), b"")
    if any(token in scrubbed for token in tokens):
        verdict.problems.append("phi-on-stderr")
    try:
        doc = json.loads(run.stdout)
    except ValueError:
        verdict.problems.append("incomplete-json")
        return verdict
    if not isinstance(doc, dict):
        verdict.problems.append("incomplete-json")
        return verdict
    if doc.get("status") == "unreadable":
        verdict.unreadable, verdict.claims = True, []
        return verdict
    claims = doc.get("claims")
    summary = doc.get("summary") or {}
    if not isinstance(claims, list) or "sha256" not in doc:
        verdict.problems.append("incomplete-json")
        return verdict
    verdict.claims = [str(claim.get("claim_id")) for claim in claims]
    findings = [*(doc.get("file_findings") or []), *(f for claim in claims for f in claim.get("findings") or [])]
    verdict.syntax_errors = {
        (
            str(f.get("rule")),
            int((f.get("location") or {}).get("segment", 0)),
            str((f.get("location") or {}).get("element", "")),
        )
        for f in findings
        if f.get("severity") == "error" and str(f.get("rule")).startswith(("ENV", "X12"))
    }
    counted = summary.get("accepted", -1) + summary.get("rejected", -1)
    if summary.get("claims") != len(claims) or counted != len(claims):
        verdict.problems.append("bad-summary")
    return verdict


# -- the campaign -----------------------------------------------------------------------------------


@dataclass
class Tally:
    runs: Counter[str] = field(default_factory=Counter)  # mode -> runs
    problems: Counter[tuple[str, str]] = field(default_factory=Counter)  # (mode, problem) -> runs
    exits: Counter[tuple[str, int]] = field(default_factory=Counter)
    modes: tuple[str, ...] = DEFAULT_MODES
    claims_differ: int = 0
    structure_only: Counter[str] = field(default_factory=Counter)  # "mode: problem" not seen without the check
    failures: list[dict[str, object]] = field(default_factory=list)
    mismatches: int = 0  # --verify: fork runs that differ from a real CLI process
    verified: int = 0
    mismatch_details: list[dict[str, object]] = field(default_factory=list)


def campaign(
    seed: int,
    runs: int,
    *,
    jobs: int = 2,
    timeout: float = 60.0,
    input_mode: str = "path",
    only: int | None = None,
    verify: int = 0,
    keep: Path | None = OUT,
    progress: bool = False,
    modes: tuple[str, ...] = DEFAULT_MODES,
) -> Tally:
    """Make ``runs`` mutants (or just mutant ``only``), check each in every mode, tally the verdicts."""
    if PLAIN not in modes or not set(modes) <= set(ALL_MODES):
        raise ValueError(f"modes must include {PLAIN!r} and be among {', '.join(ALL_MODES)}")
    sources = corpus()
    tally = Tally(modes=modes)
    chosen = {mode: ALL_MODES[mode] for mode in modes}
    indices = [only] if only is not None else list(range(runs))
    with tempfile.TemporaryDirectory(prefix="scrubber-fuzz-") as tmp:
        work = Path(tmp)
        os.chmod(work, 0o700)
        runner = ForkRunner(work, jobs, timeout, input_mode)
        runner.warm_up(sources[-1], chosen.values())
        originals = source_verdicts(runner, sources, chosen)
        mutants: dict[int, tuple[Mutant, Path, set[bytes]]] = {}
        verdicts: dict[int, dict[str, Verdict]] = {}

        def tasks() -> Iterator[tuple[tuple[int, str], Path, tuple[str, ...]]]:
            for index in indices:
                mutant = make_mutant(seed, index, sources)
                path = work / f"mutant-{index:06d}.x12"
                path.write_bytes(mutant.data)
                mutants[index] = (mutant, path, phi_tokens(mutant.data))
                for mode, options in chosen.items():
                    yield (index, mode), path, options

        started = time.monotonic()
        for done, run in enumerate(runner.run(tasks()), start=1):
            index, mode = run.key
            mutant, path, tokens = mutants[index]
            verdict = judge(run, tokens, path)
            tally.runs[mode] += 1
            tally.exits[(mode, run.code)] += 1
            for problem in verdict.problems:
                tally.problems[(mode, problem)] += 1
            if verify and index < verify:
                _verify(tally, run, path, chosen[mode], timeout)
            verdicts.setdefault(index, {})[mode] = verdict
            if len(verdicts[index]) == len(chosen):
                _settle(tally, mutant, verdicts.pop(index), originals.get(mutant.source, {}), keep, seed)
                path.unlink()
                del mutants[index]
            if progress and done % 500 == 0:
                rate = done / (time.monotonic() - started)
                print(f"  {done} runs, {rate:.1f} runs/s", file=sys.stderr, flush=True)
    return tally


def _verify(tally: Tally, run: Run, path: Path, options: tuple[str, ...], timeout: float) -> None:
    real = real_cli(path, options, timeout)
    tally.verified += 1
    real_err, fork_err = comparable_stderr(real.stderr), comparable_stderr(run.stderr)
    if (real.code, real.stdout) == (run.code, run.stdout) and real_err == fork_err:
        return
    tally.mismatches += 1
    tally.mismatch_details.append(
        {
            "key": list(run.key),
            "exit": [real.code, run.code],
            "stdout_same": real.stdout == run.stdout,
            "stderr_only_real": [_event_name(line) for line in real_err if line not in fork_err],
            "stderr_only_fork": [_event_name(line) for line in fork_err if line not in real_err],
        }
    )


def _event_name(line: object) -> str:
    """A stderr line, short: a log event by its name, a text line by its first words."""
    return str(line.get("event")) if isinstance(line, dict) else str(line)[:60]


def source_verdicts(
    runner: ForkRunner, sources: list[Path], modes: dict[str, tuple[str, ...]]
) -> dict[str, dict[str, Verdict]]:
    """Each unmutated source's verdict per mode: what expectations are measured against."""
    tasks = [((index, mode), path, options) for index, path in enumerate(sources) for mode, options in modes.items()]
    found: dict[str, dict[str, Verdict]] = {}
    for run in runner.run(tasks):
        index, mode = run.key
        found.setdefault(sources[index].name, {})[mode] = judge(run, set(), sources[index])
    return found


def _expectation(mutant: Mutant, verdict: Verdict, original: Verdict | None) -> str | None:
    """The problem when the run contradicts what the mutation makes certain, else None."""
    if original is None:
        return None
    if mutant.expect == REJECT and not verdict.unreadable and verdict.syntax_errors <= original.syntax_errors:
        # no ENV/X12 error (rule, segment, element) that the source did not have already
        return "unflagged"
    if mutant.expect == SAME_CLAIMS and verdict.claims != original.claims:
        return "claims-lost"
    return None


def _settle(
    tally: Tally,
    mutant: Mutant,
    verdicts: dict[str, Verdict],
    originals: dict[str, Verdict],
    keep: Path | None,
    seed: int,
) -> None:
    """Every mode is in: compare claims with the plain mode's, note problems a structure mode adds, keep failures."""
    for mode, verdict in verdicts.items():
        problem = None if verdict.problems else _expectation(mutant, verdict, originals.get(mode))
        if problem is not None:
            verdict.problems.append(problem)
            tally.problems[(mode, problem)] += 1
    plain = verdicts[PLAIN]
    checked = {mode: v for mode, v in verdicts.items() if mode != PLAIN}
    differ = plain.claims is not None and any(
        v.claims is not None and v.claims != plain.claims for v in checked.values()
    )
    if differ:
        tally.claims_differ += 1
    for mode, verdict in checked.items():
        for problem in set(verdict.problems) - set(plain.problems):
            tally.structure_only[f"{mode}: {problem}"] += 1
    found = {mode: v.problems for mode, v in verdicts.items() if v.problems}
    if not found and not differ:
        return
    record = {"index": mutant.index, "source": mutant.source, "mutations": mutant.mutations, "problems": found}
    if differ:
        record["claims"] = {mode: v.claims for mode, v in verdicts.items()}
    tally.failures.append(record)
    if keep is not None:
        folder = keep / f"seed-{seed}"
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        (folder / f"mutant-{mutant.index:06d}.x12").write_bytes(mutant.data)


def table(tally: Tally) -> str:
    """The campaign's table, one row per mode, then the cross-mode counts."""
    problems = [key for key in PROBLEMS if key != "bad-exit"]
    rows = [("mode", "runs", *(PROBLEMS[key] for key in problems), "exit 0", "exit 1", "exit 2", "other exit")]
    for mode in tally.modes:
        exits = {code: n for (m, code), n in tally.exits.items() if m == mode}
        other = sum(n for code, n in exits.items() if code not in (0, 1, 2))
        counts = [tally.problems[(mode, key)] for key in problems] + [exits.get(code, 0) for code in (0, 1, 2)]
        rows.append((mode, str(tally.runs[mode]), *map(str, counts), str(other)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True)))
        for row in rows
    ]
    lines.append(f"mutants whose claims differ with and without a structure check: {tally.claims_differ}")
    only = ", ".join(f"{k} {v}" for k, v in sorted(tally.structure_only.items())) or "none"
    lines.append(f"problems only with a structure check on: {only}")
    if tally.verified:
        lines.append(f"fork runs checked against a real CLI process: {tally.verified}, differing: {tally.mismatches}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1000, help="mutants (each checked in both modes)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per run before it counts as a hang")
    parser.add_argument("--input", choices=("path", "stdin", "fifo"), default="path")
    parser.add_argument("--only", type=int, help="rebuild and run this one mutant")
    parser.add_argument("--write", type=Path, help="with --only: write the mutant here and stop")
    parser.add_argument("--verify", type=int, default=0, help="also run the first N mutants in real CLI processes")
    parser.add_argument("--keep", type=Path, default=OUT, help="folder for failing mutants and the summary")
    parser.add_argument(
        "--modes",
        default=",".join(DEFAULT_MODES),
        help=f"comma-separated, among {', '.join(ALL_MODES)} ('structure': the checkout's default engine)",
    )
    args = parser.parse_args(argv)
    if args.write is not None:
        if args.only is None:
            parser.error("--write needs --only")
        args.write.write_bytes(make_mutant(args.seed, args.only, corpus()).data)
        return 0
    started = time.monotonic()
    tally = campaign(
        args.seed,
        args.runs,
        jobs=args.jobs,
        timeout=args.timeout,
        input_mode=args.input,
        only=args.only,
        verify=args.verify,
        keep=args.keep,
        progress=True,
        modes=tuple(args.modes.split(",")),
    )
    print(table(tally))
    print(f"seed {args.seed}, {sum(tally.runs.values())} runs in {time.monotonic() - started:.0f} s")
    args.keep.mkdir(parents=True, exist_ok=True)
    summary = args.keep / f"seed-{args.seed}.json"
    summary.write_text(
        json.dumps(
            {"table": table(tally), "failures": tally.failures, "verify_mismatches": tally.mismatch_details}, indent=1
        )
    )
    for record in tally.failures[:20]:
        print(json.dumps(record)[:300])
    print(f"failures: {len(tally.failures)} mutants (all in {summary})")
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
