"""A claim's JSON written from plain data is what pydantic writes for its model, byte for byte.

The JSON writer encodes :func:`~scrubber.report.model.claim_data` with msgspec rather than
validating and dumping a :class:`~scrubber.report.model.ClaimReport`; these tests hold the two to
the same bytes for any text a finding, a claim or a file can carry (control characters, Latin-1
bytes read from the file, any Unicode a rule or a library caller puts in a message).
"""

from __future__ import annotations

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from scrubber.findings import Finding, Found, Location, Place, Severity
from scrubber.model import Claim
from scrubber.report.model import ClaimReport, claim_data, claim_json, claim_report
from tests.builders import LineSpec, build_claim

TEXT = st.text(max_size=40)
PLACES = st.builds(
    Place,
    st.integers(0, 10**9),
    st.integers(0, 10**6),
    st.integers(0, 10**9),
    st.integers(0, 10**12),
    TEXT,
    TEXT,
    st.integers(0, 1000),
    st.integers(0, 1000),
)
FOUND = st.builds(
    Found,
    TEXT,
    TEXT,
    st.sampled_from(list(Severity)),
    TEXT,
    st.lists(TEXT, max_size=3),
    st.none() | PLACES,
    st.none() | TEXT,
    TEXT,
    TEXT,
)
CLAIM = build_claim(lines=[LineSpec(), LineSpec(procedure="99214", modifiers=("25",))])


def _with_text(claim: Claim, claim_id: str, payer_id: str) -> Claim:
    return msgspec.structs.replace(claim, claim_id=claim_id, payer_id=payer_id)


@settings(max_examples=300, deadline=None)
@given(findings=st.lists(FOUND, max_size=4), claim_id=TEXT, payer_id=TEXT, code_set=st.none() | TEXT)
def test_claim_json_is_what_pydantic_writes(
    findings: list[Found], claim_id: str, payer_id: str, code_set: str | None
) -> None:
    data = claim_data(_with_text(CLAIM, claim_id, payer_id), findings, code_set)
    assert claim_json(data) == claim_report(data).model_dump_json()


@settings(max_examples=100, deadline=None)
@given(found=FOUND)
def test_a_record_and_its_model_carry_the_same_values(found: Found) -> None:
    model = found.model()
    assert isinstance(model, Finding)
    assert model.location is None or isinstance(model.location, Location)
    assert Found.of(model) == found


def test_the_report_model_of_plain_data_equals_the_one_built_from_models() -> None:
    """ClaimReport.build still takes pydantic findings (a library caller's own) as before."""
    found = Found("CLM001", "charge-total-mismatch", Severity.ERROR, "m", ["a"], Place(1, 2, 3, 4), "CLM*1", "r", "f")
    from_records = ClaimReport.build(CLAIM, [found], "ICD-10-CM FY2026")
    from_models = ClaimReport.build(CLAIM, [found.model()], "ICD-10-CM FY2026")
    assert from_records == from_models
    assert from_records.status == "rejected"
