"""CLM001-CLM009, driven by the per-rule cases in integrity_cases.toml."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scrubber.rules.base import RuleContext
from scrubber.rules.integrity import RULES, npi_is_valid
from scrubber.synthetic import luhn_npi
from tests.builders import ClaimSpec, LineSpec, build_claim

CASES = tomllib.loads((Path(__file__).parent / "integrity_cases.toml").read_text())["case"]
BY_CODE = {rule.code: rule for rule in RULES}


def spec_of(claim: dict[str, Any]) -> ClaimSpec:
    fields = dict(claim)
    if "lines" in fields:
        fields["lines"] = [LineSpec(**line) for line in fields["lines"]]
    return ClaimSpec(**fields)


@pytest.mark.parametrize("case", CASES, ids=[f"{c['rule']}: {c['name']}" for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    ctx = RuleContext(as_of=case.get("as_of", dt.date(2026, 11, 27)), options=case.get("options", {}))
    findings = list(BY_CODE[case["rule"]].check(build_claim(spec_of(case["claim"])), ctx))

    assert len(findings) == case["expect"], [f.message for f in findings]
    assert all(f.rule == case["rule"] for f in findings)
    if "element" in case:
        assert findings[0].location.element == case["element"]


def test_every_integrity_rule_has_passing_and_failing_cases() -> None:
    for code in BY_CODE:
        expectations = {case["expect"] > 0 for case in CASES if case["rule"] == code}
        assert expectations == {True, False}, code


def test_charge_total_uses_decimal_to_the_cent() -> None:
    lines = [LineSpec(charge="0.10"), LineSpec(procedure="99214", charge="0.20")]
    claim = build_claim(ClaimSpec(lines=lines, total="0.30"))  # 0.1 + 0.2 != 0.3 in float
    assert list(BY_CODE["CLM001"].check(claim, RuleContext())) == []


def test_service_before_birth_keeps_the_birth_date_out_of_the_message() -> None:
    claim = build_claim(ClaimSpec(birth_date=dt.date(2026, 3, 5)))
    (finding,) = BY_CODE["CLM005"].check(claim, RuleContext())
    assert "2026-03-05" not in finding.message and "20260305" not in finding.message


@pytest.mark.parametrize(
    ("npi", "valid"),
    [("1234567893", True), ("1234567890", False), ("123456789", False), ("3234567893", False), ("12345678AB", False)],
)
def test_npi_check_digit(npi: str, valid: bool) -> None:
    assert npi_is_valid(npi) is valid


@given(st.from_regex(r"[12][0-9]{8}", fullmatch=True), st.integers(0, 9), st.integers(1, 9))
def test_npi_check_digit_agrees_with_the_generator_and_catches_one_wrong_digit(base: str, at: int, bump: int) -> None:
    npi = luhn_npi(base)
    assert npi_is_valid(npi)
    wrong = npi[:at] + str((int(npi[at]) + bump) % 10) + npi[at + 1 :]
    assert not npi_is_valid(wrong)
