"""kill -9 at any moment, rerun: no file lost, none processed twice, no half-written output visible.

Two ways to kill a real sweep subprocess with SIGKILL:
- aimed: the sweep calls a checkpoint between every durable step and after each claim's report
  lines; a driver kills itself at a randomly drawn one of them, so every kind of step is hit;
- timed: `scrubber sweep` itself is killed after a random delay, wherever it happens to be.
After every kill the invariants hold, and after a final clean run the outbox is the same as that
of a sweep that was never killed.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from scrubber.sweep import run_sweep

from .helpers import HERE, assert_complete_outputs, final_state, ledger_rows, settings, sweep_cli, where_is, x12

KILLS = 24
SWEEP = [sys.executable, "-m", "scrubber.cli", "sweep"]
FAST = ["--settle", "0", "--stale-after", "0", "--as-of", "2026-11-01", "--no-structure"]


def _populate(inbox: Path, files: int) -> dict[str, bytes]:
    """Good and rejected files, duplicates, a reused ISA13, and bad input; oldest-first order fixed."""
    contents: dict[str, bytes] = {}
    for number in range(files):
        contents[f"claims-{number:03d}.837"] = x12(number)
    contents["copy-of-002.837"] = contents["claims-002.837"]
    contents["copy-of-005.837"] = contents["claims-005.837"]
    contents["reused-isa13.837"] = x12(500, isa13=100_000 + 3 * 10)
    contents["empty.837"] = b""
    contents["junk.bin"] = bytes(range(256)) * 4
    contents["truncated.837"] = x12(600)[:1000]
    for order, (name, data) in enumerate(contents.items()):
        path = inbox / name
        path.write_bytes(data)
        moment = 1_700_000_000_000_000_000 + order * 1_000_000_000
        os.utime(path, ns=(moment, moment))
    return contents


def _reference(tmp_path: Path, inbox: Path) -> dict[str, object]:
    """The outbox of a sweep over the same files that nobody killed."""
    ref_in, ref_out = tmp_path / "ref-in", tmp_path / "ref-out"
    ref_in.mkdir()
    for path in inbox.iterdir():
        shutil.copy2(path, ref_in / path.name)
    run_sweep(settings(ref_in, ref_out))
    return final_state(ref_out)


def _check_invariants(inbox: Path, outbox: Path, names: set[str]) -> None:
    """Every file is in exactly one place; nothing half-written under a final name."""
    places = where_is(outbox, inbox)
    assert set(places) == names
    assert all(len(found) == 1 for found in places.values()), places
    if (outbox / "reports").is_dir():
        assert_complete_outputs(outbox)
    originals = [row["original_name"] for row in ledger_rows(outbox)]
    assert len(originals) == len(set(originals)), "a file was claimed twice"


def test_killed_at_random_steps_then_rerun_ends_like_an_uninterrupted_run(tmp_path):
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    contents = _populate(inbox, 24)
    expected = _reference(tmp_path, inbox)
    rng = random.Random(20261127)
    # Every file passes about ten checkpoints; each of the first twelve, twice, in random order.
    schedule = rng.sample(list(range(1, 13)) * 2, KILLS)
    steps_hit: dict[str, int] = {}
    kills = 0
    for kill_at in schedule:
        run = subprocess.run(
            [sys.executable, str(HERE / "crash_driver.py"), str(inbox), str(outbox), str(kill_at)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if run.returncode != -signal.SIGKILL:
            assert run.returncode in (0, 1), run.stderr
            break  # the work ran out before the kill point
        kills += 1
        step = run.stdout.strip()
        steps_hit[step] = steps_hit.get(step, 0) + 1
        _check_invariants(inbox, outbox, set(contents))
    assert kills >= 20, f"only {kills} kills landed before the work was done"
    assert {"claim.recorded", "claim.moved", "report.claim", "process.recorded", "finish.moved"} <= set(steps_hit)
    final = run_sweep(settings(inbox, outbox))
    assert final.stopped == ""
    _check_invariants(inbox, outbox, set(contents))
    assert final_state(outbox) == expected
    print(f"aimed kills: {kills}, at steps {steps_hit}")


def test_killed_after_random_delays_then_rerun_ends_like_an_uninterrupted_run(tmp_path):
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    contents = _populate(inbox, 200)
    expected = _reference(tmp_path, inbox)
    rng = random.Random(4242)
    kills = in_flight = 0
    # Each run first starts Python (about half a second), then handles a file every few ms;
    # delays spread over both, so some kills land in start-up and most in the middle of files.
    for _ in range(KILLS):
        process = subprocess.Popen(
            [
                *SWEEP,
                str(inbox),
                "--outbox",
                str(outbox),
                "--settle",
                "0",
                "--stale-after",
                "0",
                "--as-of",
                "2026-11-01",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.3, 1.0))
        process.send_signal(signal.SIGKILL)
        code = process.wait(timeout=60)
        if code == -signal.SIGKILL:
            kills += 1
            if (outbox / "processing").is_dir() and any((outbox / "processing").iterdir()):
                in_flight += 1
        _check_invariants(inbox, outbox, set(contents))
    assert kills >= 20
    final = sweep_cli(inbox, outbox, *FAST)
    assert final.returncode == 1, final.stderr  # junk and empty files failed (in the reference too)
    _check_invariants(inbox, outbox, set(contents))
    assert final_state(outbox) == expected
    print(f"timed kills: {kills}, {in_flight} with a file in processing/")
