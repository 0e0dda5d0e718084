"""kill -9 at any moment, rerun: no file lost, none processed twice, no half-written output visible.

Two ways to kill a real sweep process with SIGKILL:
- aimed: the sweep calls a checkpoint between every durable step and after each claim's report
  lines; a forked child running the sweep kills itself at a randomly drawn one of them, so every
  kind of step is hit (forked from the test, so no interpreter start-up per kill);
- timed: a `scrubber sweep` subprocess, as cron starts it, is killed from outside at a random
  instant a few files into its run, wherever it happens to be.
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

import pytest

from scrubber.workflows.sweep import run_sweep

from .helpers import assert_complete_outputs, final_state, ledger_rows, settings, sweep_cli, where_is, x12

pytestmark = pytest.mark.slow  # kills and reruns of the CLI

KILLS = 22  # aimed kills
TIMED_KILLS = 20
SWEEP = [sys.executable, "-m", "scrubber", "sweep"]
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


def _prepared(tmp_path: Path, files: int) -> tuple[Path, Path, dict[str, bytes], dict[str, object]]:
    """Inbox (populated), outbox, the files, and the outbox an uninterrupted sweep leaves."""
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    contents = _populate(inbox, files)
    return inbox, outbox, contents, _reference(tmp_path, inbox)


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


def _sweep_killing_itself(inbox: Path, outbox: Path, kill_at: int) -> tuple[int, str]:
    """Fork a child that sweeps and sends itself SIGKILL at checkpoint number ``kill_at``.

    Returns the child's exit code (-9 when killed) and the step it was killed at.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 99
        try:
            os.close(read_end)
            calls = 0

            def checkpoint(step: str) -> None:
                nonlocal calls
                calls += 1
                if calls == kill_at:
                    os.write(write_end, step.encode())
                    os.kill(os.getpid(), signal.SIGKILL)

            code = run_sweep(settings(inbox, outbox), checkpoint=checkpoint).exit_code
        finally:
            os._exit(code)
    os.close(write_end)
    _, status = os.waitpid(pid, 0)
    with os.fdopen(read_end, "rb") as pipe:
        step = pipe.read().decode()
    return os.waitstatus_to_exitcode(status), step


def test_killed_at_random_steps_then_rerun_ends_like_an_uninterrupted_run(tmp_path):
    inbox, outbox, contents, expected = _prepared(tmp_path, 24)
    rng = random.Random(20261127)
    # Every file passes about ten checkpoints; each of the first eleven, twice, in random order.
    schedule = rng.sample(list(range(1, 12)) * 2, KILLS)
    steps_hit: dict[str, int] = {}
    kills = 0
    for kill_at in schedule:
        code, step = _sweep_killing_itself(inbox, outbox, kill_at)
        if code != -signal.SIGKILL:
            assert code in (0, 1), code
            break  # the work ran out before the kill point
        kills += 1
        steps_hit[step] = steps_hit.get(step, 0) + 1
        _check_invariants(inbox, outbox, set(contents))
    assert kills >= 20, f"only {kills} kills landed before the work was done"
    assert {"claim.recorded", "claim.moved", "report.claim", "process.recorded", "finish.moved"} <= set(steps_hit)
    final = run_sweep(settings(inbox, outbox))
    assert final.stopped == ""
    _check_invariants(inbox, outbox, set(contents))
    assert final_state(outbox) == expected
    print(f"aimed kills: {kills}, at steps {steps_hit}")


def _wait_for_claims(inbox: Path, process: subprocess.Popen[bytes], target: int) -> None:
    """Until the sweep has taken files out of the inbox down to ``target`` (or ended)."""
    deadline = time.monotonic() + 60
    while len(os.listdir(inbox)) > target and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)


def test_killed_after_random_delays_then_rerun_ends_like_an_uninterrupted_run(tmp_path):
    inbox, outbox, contents, expected = _prepared(tmp_path, 120)
    rng = random.Random(4242)
    for _ in range(TIMED_KILLS):
        target = len(os.listdir(inbox)) - rng.randint(1, 3)
        process = subprocess.Popen(
            [*SWEEP, str(inbox), "--outbox", str(outbox), *FAST],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_claims(inbox, process, target)  # some files into the run, then a random instant
        time.sleep(rng.uniform(0, 0.01))
        process.send_signal(signal.SIGKILL)
        code = process.wait(timeout=60)
        assert code == -signal.SIGKILL, "the sweep finished before it was killed: the work ran out"
        _check_invariants(inbox, outbox, set(contents))
    taken = len(contents) - len(os.listdir(inbox))
    final = sweep_cli(inbox, outbox, *FAST)
    assert final.returncode == 1, final.stderr  # junk and empty files failed (in the reference too)
    _check_invariants(inbox, outbox, set(contents))
    assert final_state(outbox) == expected
    print(f"timed kills: {TIMED_KILLS}; {taken} of {len(contents)} files had left the inbox before the final run")
