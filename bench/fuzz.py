"""Mutational fuzzing of ``scrubber check``: seeded mutants of real 837P files, run through the CLI.

``python -m bench.fuzz --runs 10000 --seed 7`` makes 10,000 mutants of the TR3 examples and the
demo file (:mod:`bench.mutations`), checks each with ``scrubber check --format json``, with and
without ``--no-structure``, and prints a table: runs, tracebacks, internal errors, incomplete
JSON, timeouts, PHI on stderr, exit codes, and mutants whose claims differ between the two modes.
Failing mutants are written to ``bench/out/fuzz/`` with a JSON summary, so each can be replayed
(``--only INDEX`` rebuilds one mutant from the seed).

Speed: a new interpreter per run spends most of its time importing scrubber and loading reference
data. The harness instead warms one process up (imports, ICD-10-CM years, pyx12 maps: one real
``main()`` call per mode) and forks a child per run, which calls :func:`scrubber.cli.main` with
``sys.argv`` set and its stdin/stdout/stderr on file descriptors of its own: the console entry
point exactly, minus start-up. Exit codes come from ``SystemExit`` as the interpreter would set
them. ``--verify N`` re-runs the first N runs in real ``python -m scrubber.cli`` subprocesses and
counts any difference in exit code, stdout or stderr (timestamps and load-once log events aside).

``--input path|stdin|fifo`` hands the mutant over as a file path, as standard input through a pipe
(``-``, not seekable) or through a named pipe; pipes are fed by a grandchild process.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench.mutations import REJECT, SAME_CLAIMS, Layout, mutate, segments

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out" / "fuzz"
MODES: dict[str, tuple[str, ...]] = {"no-structure": ("--no-structure",), "structure": ()}
# Table columns: what a run can get wrong. The last two use the mutation's expectation: a mutant
# with a byte outside the character set (or a broken ISA, a stray trailer) that gets no more
# ENV/X12 errors than its source (and is not unreadable); claims lost to a change of layout only
# (line breaks, indentation, other delimiters).
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


# -- running the CLI ------------------------------------------------------------------------------


@dataclass
class Run:
    key: tuple[int, str]  # (mutant index, mode)
    code: int
    stdout: bytes
    stderr: bytes
    seconds: float
    timed_out: bool = False


def _exit_code(value: object) -> int:
    """The process exit status the interpreter derives from ``SystemExit(value)``."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value & 0xFF
    print(value, file=sys.stderr)
    return 1


class ForkRunner:
    """Runs ``scrubber check`` in children forked from a process that has loaded everything once."""

    def __init__(self, workdir: Path, jobs: int = 2, timeout: float = 60.0, input_mode: str = "path") -> None:
        self.workdir = workdir
        self.jobs = jobs
        self.timeout = timeout
        self.input_mode = input_mode

    def warm_up(self, sample: Path) -> None:
        """Import the CLI and run it once per mode here, so children start with everything loaded."""
        import scrubber.cli  # noqa: F401  (imported before forking: that is the point)

        for options in MODES.values():
            self._in_process(["check", "--format", "json", *options, str(sample)])

    def _in_process(self, argv: list[str]) -> None:
        saved = os.dup(1), os.dup(2)
        sink = os.open(os.devnull, os.O_WRONLY)
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(sink, 1)
        os.dup2(sink, 2)
        try:
            from scrubber.cli import main

            sys.argv = ["scrubber", *argv]
            with contextlib.suppress(SystemExit):
                main()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in (*saved, sink):
                os.close(fd)

    def run(self, tasks: Iterable[tuple[tuple[int, str], Path, tuple[str, ...]]]) -> Iterator[Run]:
        """Run each (key, file, options) in a child, ``jobs`` at a time; yield runs as they end."""
        pending = iter(tasks)
        running: dict[int, tuple[tuple[int, str], float, Path, Path]] = {}
        exhausted = False
        while running or not exhausted:
            while not exhausted and len(running) < self.jobs:
                task = next(pending, None)
                if task is None:
                    exhausted = True
                    break
                key, path, options = task
                out = self.workdir / f"{key[0]}-{key[1]}.out"
                err = self.workdir / f"{key[0]}-{key[1]}.err"
                pid = self._spawn(path, options, out, err)
                running[pid] = (key, time.monotonic(), out, err)
            pid, status = os.waitpid(-1, os.WNOHANG) if running else (0, 0)
            if pid == 0:
                now = time.monotonic()
                for child, (key, started, out, err) in list(running.items()):
                    if now - started > self.timeout:
                        os.kill(child, signal.SIGKILL)
                        os.waitpid(child, 0)
                        del running[child]
                        yield self._collect(key, -9, started, out, err, timed_out=True)
                time.sleep(0.002)
                continue
            if pid not in running:
                continue
            key, started, out, err = running.pop(pid)
            yield self._collect(key, os.waitstatus_to_exitcode(status), started, out, err)

    @staticmethod
    def _collect(
        key: tuple[int, str], code: int, started: float, out: Path, err: Path, *, timed_out: bool = False
    ) -> Run:
        run = Run(key, code, out.read_bytes(), err.read_bytes(), time.monotonic() - started, timed_out)
        out.unlink()
        err.unlink()
        return run

    def _spawn(self, path: Path, options: tuple[str, ...], out: Path, err: Path) -> int:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid:
            return pid
        code = 70
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            for fd, target in ((1, out), (2, err)):
                handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                os.dup2(handle, fd)
                os.close(handle)
            argument = self._stdin_for(path)
            os.environ.pop("SCRUBBER_DEBUG", None)
            sys.argv = ["scrubber", "check", "--format", "json", *options, argument]
            from scrubber.cli import main

            try:
                main()
                code = 0
            except SystemExit as exit_:
                code = _exit_code(exit_.code)
        except BaseException:
            traceback.print_exc()
            code = 70
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)

    def _stdin_for(self, path: Path) -> str:
        """Set up fd 0 for the child; return the FILE argument ('-', the path or a FIFO)."""
        if self.input_mode == "path":
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.close(null)
            return str(path)
        data = path.read_bytes()
        if self.input_mode == "stdin":
            read_end, write_end = os.pipe()
            if os.fork() == 0:
                os.close(read_end)
                _feed(write_end, data, self.timeout)
            os.close(write_end)
            os.dup2(read_end, 0)
            os.close(read_end)
            return "-"
        fifo = path.with_suffix(f".fifo{os.getpid()}")
        os.mkfifo(fifo, 0o600)
        if os.fork() == 0:
            signal.alarm(int(self.timeout) + 1)  # a reader that never opens it must not leave us behind
            _feed(os.open(fifo, os.O_WRONLY), data, self.timeout)
        return str(fifo)


def _feed(fd: int, data: bytes, timeout: float) -> None:
    """Grandchild: write the mutant into a pipe, then exit (a reader that stops early ends it)."""
    signal.alarm(int(timeout) + 1)
    with contextlib.suppress(OSError):
        for start in range(0, len(data), 65536):
            os.write(fd, data[start : start + 65536])
    os._exit(0)


def real_cli(path: Path, options: tuple[str, ...], timeout: float) -> Run:
    """The same run in a fresh ``python -m scrubber.cli`` process (for --verify)."""
    env = {k: v for k, v in os.environ.items() if k != "SCRUBBER_DEBUG"}
    started = time.monotonic()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "scrubber.cli", "check", "--format", "json", *options, str(path)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Run((0, ""), -9, b"", b"", time.monotonic() - started, True)
    return Run((0, ""), proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started)


_LOAD_ONCE_EVENTS = ("icd10cm.loaded",)  # logged by the first load in a process: the warm-up's


def comparable_stderr(stderr: bytes) -> list[object]:
    """stderr lines without what differs between runs (timestamps, timings) or load-once events."""
    lines: list[object] = []
    for line in stderr.decode("utf-8", "replace").splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            lines.append(line)
            continue
        if isinstance(event, dict):
            if event.get("event") in _LOAD_ONCE_EVENTS:
                continue
            event.pop("timestamp", None)
            event.pop("seconds", None)
        lines.append(event)
    return lines


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
    syntax_errors: int = 0  # error findings of ENV and X12 rules (file and claims)


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
    verdict.syntax_errors = sum(
        1 for f in findings if f.get("severity") == "error" and str(f.get("rule")).startswith(("ENV", "X12"))
    )
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
    claims_differ: int = 0
    pyx12_only: Counter[str] = field(default_factory=Counter)  # problem seen with the structure check only
    failures: list[dict[str, object]] = field(default_factory=list)
    mismatches: int = 0  # --verify: fork runs that differ from a real CLI process
    verified: int = 0


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
) -> Tally:
    """Make ``runs`` mutants (or just mutant ``only``), check each in both modes, tally the verdicts."""
    sources = corpus()
    tally = Tally()
    indices = [only] if only is not None else list(range(runs))
    with tempfile.TemporaryDirectory(prefix="scrubber-fuzz-") as tmp:
        work = Path(tmp)
        os.chmod(work, 0o700)
        runner = ForkRunner(work, jobs, timeout, input_mode)
        runner.warm_up(sources[-1])
        originals = source_verdicts(runner, sources)
        mutants: dict[int, tuple[Mutant, Path, set[bytes]]] = {}
        verdicts: dict[int, dict[str, Verdict]] = {}

        def tasks() -> Iterator[tuple[tuple[int, str], Path, tuple[str, ...]]]:
            for index in indices:
                mutant = make_mutant(seed, index, sources)
                path = work / f"mutant-{index:06d}.x12"
                path.write_bytes(mutant.data)
                mutants[index] = (mutant, path, phi_tokens(mutant.data))
                for mode, options in MODES.items():
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
                _verify(tally, run, path, MODES[mode], timeout)
            verdicts.setdefault(index, {})[mode] = verdict
            if len(verdicts[index]) == len(MODES):
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
    same = (real.code, real.stdout) == (run.code, run.stdout)
    if not same or comparable_stderr(real.stderr) != comparable_stderr(run.stderr):
        tally.mismatches += 1


def source_verdicts(runner: ForkRunner, sources: list[Path]) -> dict[str, dict[str, Verdict]]:
    """Each unmutated source's verdict per mode: what expectations are measured against."""
    tasks = [((index, mode), path, options) for index, path in enumerate(sources) for mode, options in MODES.items()]
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
    """Both modes are in: compare their claims, note problems only the pyx12 mode has, keep failures."""
    for mode, verdict in verdicts.items():
        problem = None if verdict.problems else _expectation(mutant, verdict, originals.get(mode))
        if problem is not None:
            verdict.problems.append(problem)
            tally.problems[(mode, problem)] += 1
    plain, checked = verdicts["no-structure"], verdicts["structure"]
    differ = plain.claims is not None and checked.claims is not None and plain.claims != checked.claims
    if differ:
        tally.claims_differ += 1
    for problem in set(checked.problems) - set(plain.problems):
        tally.pyx12_only[problem] += 1
    found = {mode: v.problems for mode, v in verdicts.items() if v.problems}
    if not found and not differ:
        return
    record = {"index": mutant.index, "source": mutant.source, "mutations": mutant.mutations, "problems": found}
    if differ:
        record["claims"] = {"no-structure": plain.claims, "structure": checked.claims}
    tally.failures.append(record)
    if keep is not None:
        folder = keep / f"seed-{seed}"
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        (folder / f"mutant-{mutant.index:06d}.x12").write_bytes(mutant.data)


def table(tally: Tally) -> str:
    """The campaign's table, one row per mode, then the cross-mode counts."""
    problems = [key for key in PROBLEMS if key != "bad-exit"]
    rows = [("mode", "runs", *(PROBLEMS[key] for key in problems), "exit 0", "exit 1", "exit 2", "other exit")]
    for mode in MODES:
        exits = {code: n for (m, code), n in tally.exits.items() if m == mode}
        other = sum(n for code, n in exits.items() if code not in (0, 1, 2))
        counts = [tally.problems[(mode, key)] for key in problems] + [exits.get(code, 0) for code in (0, 1, 2)]
        rows.append((mode, str(tally.runs[mode]), *map(str, counts), str(other)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True)))
        for row in rows
    ]
    lines.append(f"mutants whose claims differ with and without the structure check: {tally.claims_differ}")
    only = ", ".join(f"{k} {v}" for k, v in sorted(tally.pyx12_only.items())) or "none"
    lines.append(f"problems only with the structure check on: {only}")
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
    )
    print(table(tally))
    print(f"seed {args.seed}, {sum(tally.runs.values())} runs in {time.monotonic() - started:.0f} s")
    args.keep.mkdir(parents=True, exist_ok=True)
    summary = args.keep / f"seed-{args.seed}.json"
    summary.write_text(json.dumps({"table": table(tally), "failures": tally.failures}, indent=1))
    for record in tally.failures[:20]:
        print(json.dumps(record)[:300])
    print(f"failures: {len(tally.failures)} mutants (all in {summary})")
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
