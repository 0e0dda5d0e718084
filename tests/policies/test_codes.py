"""Code patterns: a code covers its children, a range covers both ends' children."""

from __future__ import annotations

import pytest

from scrubber.refdata.policies.codes import CodePattern


@pytest.mark.parametrize(
    ("pattern", "code", "matches"),
    [
        ("R05", "R05.9", True),
        ("R05.9", "R059", True),
        ("R05.9", "R05.1", False),
        ("C34", "C34.11", True),
        ("J12-J18", "J12.9", True),
        ("J12-J18", "J18.0", True),
        ("J12-J18", "J15.211", True),
        ("J12-J18", "J19", False),
        ("J12-J18", "J11.1", False),
        ("R07.1-R07.9", "R07.89", True),
        ("R07.1-R07.9", "R07.0", False),
    ],
)
def test_diagnosis_patterns(pattern: str, code: str, matches: bool) -> None:
    assert CodePattern.parse(pattern).matches(code) is matches


def test_procedure_ranges() -> None:
    ct = CodePattern.parse("71250-71270", "procedure")
    assert ct.matches("71260") and not ct.matches("71271")
    assert CodePattern.parse("G0296", "procedure").matches("G0296")


@pytest.mark.parametrize("bad", ["", "R0", "J18-J12", "A-B-C", "R05 cough", "cough", "71250"])
def test_bad_diagnosis_patterns_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        CodePattern.parse(bad)


@pytest.mark.parametrize("bad", ["7125", "712500", "R05", "CT"])
def test_bad_procedure_patterns_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        CodePattern.parse(bad, "procedure")
