"""Shared fixtures: the bundled TR3 examples, a command-line runner, and quick or slow parametrize cases."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
TR3_DIR = ROOT / "fixtures" / "tr3"
TR3_FILES = sorted(TR3_DIR.glob("*.edi"))


# The examples a quick run (-m "not slow") still takes through the whole CLI (and other tests that
# take a second or so per example): a single claim, a claim with coordination of benefits, and one
# with several lines and ambulance segments. A test may choose fewer (see tr3_examples).
QUICK_TR3 = {"commercial-health-insurance", "COB-claim-from-payer-a-to-payer-b-in-payer-to-payer", "ambulance"}


def case(*values: object, id: str | None = None, quick: bool = True) -> Any:
    """A parametrize case: in every run when ``quick``, else in the full suite only (marked slow).

    For cases that cost a CLI run or more and check what a quick case beside them already checks,
    with other data: a quick run (-m "not slow") keeps one or a few of them.
    """
    return pytest.param(*values, id=id, marks=() if quick else pytest.mark.slow)


def slow(*values: object, id: str | None = None) -> Any:
    """A parametrize case for the full suite only (see :func:`case`)."""
    return case(*values, id=id, quick=False)


def tr3_examples(*quick: str) -> list[Any]:
    """The TR3 examples as parametrize cases for tests that take a second or so on each (most run
    the CLI): the ``quick`` ones (default :data:`QUICK_TR3`) in every run, the rest in the full suite."""
    keep = set(quick) or QUICK_TR3
    return [case(p, id=p.stem, quick=p.stem in keep) for p in TR3_FILES]


@pytest.fixture(params=TR3_FILES, ids=[p.stem for p in TR3_FILES])
def tr3_file(request: pytest.FixtureRequest) -> Path:
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
