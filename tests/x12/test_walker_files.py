"""The walker on generated files: many claims, several ST and ISA, versions, other transactions."""

from __future__ import annotations

from scrubber.model import Claim, IssueKind
from scrubber.synthetic import ClaimSpec, LineSpec, random_claims, render_837
from scrubber.transaction.walker import read_claims, walk_bytes


def split(data: bytes):
    items = list(walk_bytes(data))
    return [i for i in items if isinstance(i, Claim)], [i for i in items if not isinstance(i, Claim)]


def test_many_claims_across_transactions_and_interchanges():
    specs = list(random_claims(230, seed=7, faulty_share=0))
    data = render_837(specs, claims_per_transaction=9, transactions_per_interchange=4).encode()
    claims, findings = split(data)
    assert findings == []
    assert [c.claim_id for c in claims] == [s.claim_id for s in specs]
    assert [[d.code for d in c.diagnoses] for c in claims] == [list(s.diagnoses) for s in specs]
    assert [[line.procedure for line in c.lines] for c in claims] == [[ln.procedure for ln in s.lines] for s in specs]
    controls = {(c.control.isa13, c.control.st02) for c in claims}
    assert len({isa for isa, _ in controls}) == 7  # 230 claims / 9 per ST / 4 ST per ISA
    assert len(controls) == 26
    assert claims[9].control.st02 == "0002" and claims[36].control.isa13 == "000000002"


def test_patient_loop_or_subscriber_is_patient():
    self_claim, dependent = read_claims(
        render_837(
            [
                ClaimSpec(claim_id="SELF", sex="M", subscriber_is_patient=True),
                ClaimSpec(claim_id="DEP", sex="F", subscriber_is_patient=False),
            ]
        ).encode()
    )
    assert self_claim.patient is None and self_claim.person.loop == "2010BA" and self_claim.person.sex == "M"
    assert dependent.patient is not None and dependent.person.loop == "2010CA" and dependent.person.sex == "F"


def test_version_a2_parses():
    claims, findings = split(render_837([ClaimSpec()], version="005010X222A2").encode())
    assert findings == [] and len(claims) == 1


def test_other_transactions_are_reported_not_crashed():
    data = render_837([ClaimSpec()], version="005010X223A2").encode()  # 837I version string
    claims, findings = split(data)
    assert claims == []
    assert [i.kind for i in findings] == [IssueKind.UNSUPPORTED]
    assert "not an 837P" in findings[0].message and findings[0].element == "ST01"


def test_835_is_unsupported():
    text = render_837([ClaimSpec()]).replace("ST*837*0001*005010X222A1", "ST*835*0001*005010X221A1")
    claims, findings = split(text.encode())
    assert claims == [] and [i.kind for i in findings] == [IssueKind.UNSUPPORTED]


def test_modifiers_units_dates_and_rendering():
    (claim,) = read_claims(
        render_837(
            [
                ClaimSpec(
                    diagnoses=["R05.9", "J06.9"],
                    rendering_npi="1234567893",
                    lines=[LineSpec(procedure="97110", modifiers=["GP", "59", "KX", "XU"], units="3", pointers=[2, 1])],
                )
            ]
        ).encode()
    )
    line = claim.lines[0]
    assert line.modifiers == ["GP", "59", "KX", "XU"]
    assert str(line.units) == "3" and line.pointers == [2, 1]
    assert claim.rendering_provider.npi == "1234567893"
    assert [d.position for d in claim.diagnoses] == [1, 2]
