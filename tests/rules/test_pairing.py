"""PAIR001/PAIR002: only the diagnoses a line points to count, under the policies in force."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from scrubber.refdata.policies import load_policies
from scrubber.rules.base import RuleContext
from scrubber.rules.pairing import ProcedureDeniedPairing, ProcedureNotSupported
from tests.builders import ClaimSpec, LineSpec, build_claim

DAY = dt.date(2026, 10, 14)
DEFAULT = RuleContext(as_of=DAY, policies=load_policies())


def ct_claim(diagnoses: list[str], pointers: list[int]) -> ClaimSpec:
    return ClaimSpec(
        diagnoses=diagnoses, lines=[LineSpec("71250", charge="250.00", pointers=pointers)], service_date=DAY
    )


def pair001(spec: ClaimSpec, ctx: RuleContext = DEFAULT) -> list:
    return list(ProcedureNotSupported().check(build_claim(spec), ctx))


def test_ct_thorax_for_generalized_weakness_alone_is_not_supported() -> None:
    (finding,) = pair001(ct_claim(["M62.81"], [1]))

    assert (finding.rule, finding.severity) == ("PAIR001", "warning")
    assert finding.codes == ["71250", "M62.81"]
    assert "L33459" in finding.reference and "A56580" in finding.reference
    assert "not a chest indication" in finding.message  # why
    assert "Document the chest indication" in finding.message  # what would support it
    assert finding.fix.startswith("Document the chest indication")
    assert (finding.location.loop, finding.location.element) == ("2400", "SV107-1")


def test_ldct_screening_needs_the_smoking_history_code() -> None:
    screening = ClaimSpec(diagnoses=["Z12.2"], lines=[LineSpec("71271")], service_date=DAY)
    (finding,) = pair001(screening)
    assert "210.14" in finding.reference and "Z87.891" in finding.message
    screening.diagnoses = ["Z12.2", "Z87.891"]
    screening.lines = [LineSpec("71271", pointers=[1, 2])]
    assert pair001(screening) == []


DENY_PACK = """
[pack]
name = "test"

[[denied]]
id = "made-up-denial"
procedures = ["80061"]
diagnoses = ["Z00.00"]
effective_from = 2020-01-01
reason = "made-up policy for the test"
[denied.citation]
source = "payer-policy"
publisher = "Test Payer"
title = "Lab screening"
date = 2026-01-01
"""


def test_a_denied_pair_is_an_error_at_the_pointer_that_names_it(tmp_path: Path) -> None:
    pack = tmp_path / "deny.toml"
    pack.write_text(DENY_PACK)
    ctx = RuleContext(as_of=DAY, policies=load_policies([pack]))
    spec = ClaimSpec(diagnoses=["E78.5", "Z00.00"], lines=[LineSpec("80061", pointers=[1, 2])], service_date=DAY)

    (finding,) = ProcedureDeniedPairing().check(build_claim(spec), ctx)
    assert (finding.rule, finding.severity) == ("PAIR002", "error")
    assert finding.codes == ["80061", "Z00.00"]
    assert finding.location.element == "SV107-2"
    assert "Test Payer" in finding.reference

    spec.lines = [LineSpec("80061", pointers=[1])]
    assert list(ProcedureDeniedPairing().check(build_claim(spec), ctx)) == []
