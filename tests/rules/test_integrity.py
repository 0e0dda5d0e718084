"""CLM001-CLM009 beyond pass and fail (tests/rules/cases/CLM*.toml): privacy of messages, the NPI check digit."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scrubber.rules.base import RuleContext
from scrubber.rules.integrity import RULES, npi_is_valid
from scrubber.synthetic import luhn_npi
from tests.builders import ClaimSpec, build_claim

BY_CODE = {rule.code: rule for rule in RULES}


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
