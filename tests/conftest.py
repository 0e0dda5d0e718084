"""Shared fixtures: the bundled TR3 examples and a command-line runner."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TR3_DIR = ROOT / "fixtures" / "tr3"
TR3_FILES = sorted(TR3_DIR.glob("*.edi"))


# The examples a quick run (-m "not slow") still takes through the whole CLI: a single claim, a
# claim with coordination of benefits, and one with many lines and ambulance segments.
QUICK_TR3 = {"commercial-health-insurance", "COB-claim-from-payer-a-to-payer-b-in-payer-to-payer", "ambulance"}


@pytest.fixture(params=TR3_FILES, ids=[p.stem for p in TR3_FILES])
def tr3_file(request: pytest.FixtureRequest) -> Path:
    return request.param


@pytest.fixture(
    params=[
        pytest.param(p, marks=() if p.stem in QUICK_TR3 else pytest.mark.slow, id=p.stem) for p in TR3_FILES
    ]
)
def tr3_cli_file(request: pytest.FixtureRequest) -> Path:
    """A TR3 example for tests that run the CLI (seconds each): the rest of the 16 run in the full suite."""
    return request.param


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str, stdin: bytes | None = None, cwd: Path | None = None, env: dict | None = None) -> Result:
    """Run `scrubber` as a user would, in a subprocess (exit codes and stderr are part of the contract)."""
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    full_env.pop("SCRUBBER_DEBUG", None)
    proc = subprocess.run(
        [sys.executable, "-m", "scrubber", *args],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        cwd=cwd,
        env=full_env,
        timeout=600,
    )
    return Result(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))


@pytest.fixture
def cli():
    return run_cli
