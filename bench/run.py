"""Runs every mode on every file, each in a child process, and reports claims/s, RSS and ratios.

Modes: scrubber rules-only (``--structure off``), with the native TR3 check (the default) and
with pyx12 as its TR3 check, each in one process and with ``--jobs N``; pyx12's x12n_document
validation and pyx12's X12ContextReader walk over the 2300 loops. Whatever runs at pyx12's pace
(a few hundred claims per second) is capped to the smaller files. The options a checkout offers
are read from its ``scrubber check --help``, so ``--compare DIR`` measures another checkout (an
earlier commit, say) in the same run, on the same files: this checkout's ``bench/child.py`` runs
in the other checkout's directory and imports its scrubber, so both are timed alike. Besides wall
time, each mode reports the CPU time of the child and its workers: the steadier figure on a
machine shared with other work.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.files import BenchFile, ensure_file

OUT = Path(__file__).parent / "out"
DEFAULT_SIZES = (1_000, 10_000, 100_000)
PYX12_CAP = 10_000  # largest file the pyx12 modes run on
PYX12_MODES = ("pyx12-validate", "pyx12-walk")
CHILD = Path(__file__).parent / "child.py"
# Runs CHILD as __main__ with the current directory (the measured checkout) first on sys.path.
_RUN_CHILD = "import runpy, sys; sys.argv.pop(0); runpy.run_path(sys.argv[0], run_name='__main__')"


@dataclass(frozen=True)
class Mode:
    name: str
    child: str  # bench.child mode
    options: tuple[str, ...] = ()
    uses_pyx12: bool = False  # runs at pyx12's pace: capped to PYX12_CAP claims
    checkout: Path = Path(__file__).parent.parent  # the repository whose scrubber the child runs


@dataclass
class Measurement:
    mode: str
    claims: int
    bytes: int
    seconds: float  # inside the child, imports excluded
    wall_seconds: float  # the whole child process
    claims_per_second: float
    peak_rss_mb: float
    cpu_seconds: float = 0.0  # the child and its --jobs workers, imports excluded
    claims_per_cpu_second: float = 0.0


def _help(checkout: Path) -> str:
    """``scrubber check --help`` of a checkout; one from before ``python -m scrubber`` is asked through scrubber.cli."""
    for command in (["-m", "scrubber"], ["-c", "from scrubber.cli import main; main()"]):
        done = subprocess.run(
            [sys.executable, *command, "check", "--help"], capture_output=True, text=True, check=False, cwd=checkout
        )
        if done.returncode == 0:
            return done.stdout
    return ""


def structure_modes(help_text: str) -> list[tuple[str, tuple[str, ...], bool]]:
    """(label, options, runs at pyx12's pace) for the structure settings a checkout offers."""
    if "native" in help_text:
        return [
            ("rules only", ("--structure", "off"), False),
            ("native structure", ("--structure", "native"), False),
            ("pyx12 structure", ("--structure", "pyx12"), True),
        ]
    if "--no-structure" in help_text:  # a checkout from before the native check: pyx12 or nothing
        return [("rules only", ("--no-structure",), False), ("pyx12 structure", (), True)]
    return [("rules only", (), False)]


def modes(jobs: int, compare: Path | None = None) -> tuple[list[Mode], list[str]]:
    """The modes of this checkout (and of ``compare``), and notes on what was left out and why."""
    notes: list[str] = []
    found: list[Mode] = []
    checkouts = [(Path(__file__).parent.parent, "")] + ([(compare.resolve(), "before: ")] if compare else [])
    for checkout, prefix in checkouts:
        help_text = _help(checkout)
        parallel = "--jobs" in help_text and jobs > 1
        for label, options, slow in structure_modes(help_text):
            found.append(Mode(f"{prefix}scrubber ({label})", "scrubber", options, slow, checkout))
            if parallel:
                found.append(
                    Mode(
                        f"{prefix}scrubber ({label}) --jobs {jobs}",
                        "scrubber",
                        (*options, "--jobs", str(jobs)),
                        slow,
                        checkout,
                    )
                )
    found += [Mode(name, name, uses_pyx12=True) for name in PYX12_MODES]
    notes.append(
        f"pyx12 modes and scrubber with pyx12 as its TR3 check run only on files of at most "
        f"{PYX12_CAP:,} claims: they manage ~100-250 claims/s"
    )
    if compare:
        notes.append(f"'before:' modes ran the scrubber of {compare.resolve()} on the same files")
    return found, notes


def measure(mode: Mode, file: BenchFile) -> Measurement:
    """Run one mode on one file in a child process; peak RSS comes from wait4 on that child."""
    command = [sys.executable, "-c", _RUN_CHILD, str(CHILD), mode.child, str(file.path.resolve()), *mode.options]
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, cwd=mode.checkout)
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if child.returncode != 0:
        raise RuntimeError(f"{mode.name} on {file.path.name} failed (exit {child.returncode})")
    result = json.loads(output.decode().strip().splitlines()[-1])
    claims = result["claims"] if result["claims"] is not None else file.claims
    if claims != file.claims:
        raise RuntimeError(f"{mode.name} saw {claims} claims in {file.path.name}, which holds {file.claims}")
    return Measurement(
        mode=mode.name,
        claims=claims,
        bytes=file.size,
        seconds=round(result["seconds"], 3),
        wall_seconds=round(wall, 3),
        claims_per_second=round(claims / result["seconds"], 1),
        peak_rss_mb=round(usage.ru_maxrss / 1024, 1),  # Linux reports KiB
        cpu_seconds=round(result["cpu_seconds"], 3),
        claims_per_cpu_second=round(claims / result["cpu_seconds"], 1),
    )


def ratios(results: list[Measurement]) -> dict[str, dict[str, float]]:
    """Each scrubber mode's speed over each pyx12 mode's, on files both ran."""
    by_key = {(m.mode, m.claims): m for m in results}
    table: dict[str, dict[str, float]] = {}
    for m in results:
        if m.mode in PYX12_MODES:
            continue
        for reference in PYX12_MODES:
            base = by_key.get((reference, m.claims))
            if base is not None:
                key = f"{m.mode} / {reference}"
                table.setdefault(key, {})[str(m.claims)] = round(m.claims_per_second / base.claims_per_second, 1)
    return table


def print_table(results: list[Measurement], table: dict[str, dict[str, float]], notes: list[str]) -> None:
    print(
        f"{'mode':48} {'claims':>8} {'MB':>7} {'claims/s':>10} {'seconds':>8} {'peak RSS MB':>12} "
        f"{'CPU s':>8} {'claims/CPU s':>13}"
    )
    for m in results:
        print(
            f"{m.mode:48} {m.claims:>8,} {m.bytes / 1e6:>7.1f} {m.claims_per_second:>10,.0f} "
            f"{m.seconds:>8.2f} {m.peak_rss_mb:>12.1f} {m.cpu_seconds:>8.2f} {m.claims_per_cpu_second:>13,.0f}"
        )
    print("\nspeed ratios (scrubber claims/s over pyx12 claims/s, same file):")
    for key, per_size in table.items():
        print(f"  {key:58} " + "  ".join(f"{size} claims: {ratio:,.1f}x" for size, ratio in per_size.items()))
    for note in notes:
        print(f"note: {note}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES), help="claims per file")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="workers for the --jobs modes")
    parser.add_argument("--no-pyx12", action="store_true", help="skip the pyx12 modes")
    parser.add_argument("--files", type=Path, default=OUT / "files", help="where generated inputs are kept")
    parser.add_argument("--compare", type=Path, help="another checkout (e.g. a git worktree of an earlier commit)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    all_modes, notes = modes(args.jobs, args.compare)
    files = [ensure_file(args.files, size) for size in sorted(args.sizes)]
    results: list[Measurement] = []
    for file in files:
        for mode in all_modes:
            if mode.uses_pyx12 and (args.no_pyx12 or file.claims > PYX12_CAP):
                continue
            print(f"... {mode.name} on {file.claims:,} claims", file=sys.stderr, flush=True)
            results.append(measure(mode, file))
    table = ratios(results)
    print_table(results, table, notes)
    document = {
        "schema": "scrubber.bench/1",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "results": [asdict(m) for m in results],
        "ratios_vs_pyx12": table,
        "notes": notes,
    }
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    for path in (OUT / f"bench-{stamp}.json", OUT / "latest.json"):
        path.write_text(json.dumps(document, indent=2) + "\n")
    print(f"\nwritten: {OUT / f'bench-{stamp}.json'}")


if __name__ == "__main__":
    main()
