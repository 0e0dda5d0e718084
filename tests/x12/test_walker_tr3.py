"""The walker on the TR3 example files, checked against pyx12 and against values read by hand."""

from __future__ import annotations

import json

import pytest
import pyx12.error_handler
import pyx12.params
import pyx12.x12context

from scrubber.transaction.walker import read_claims
from scrubber.x12.values import dotted_code
from tests.conftest import TR3_DIR, tr3_examples


def pyx12_claims(path) -> list[dict]:
    """Claim ids, diagnosis codes and procedure codes as pyx12's X12ContextReader reads them."""
    claims = []
    with open(path) as fd:
        reader = pyx12.x12context.X12ContextReader(pyx12.params.params(), pyx12.error_handler.errh_null(), fd)
        for node in reader.iter_segments("2300"):
            if node.id != "2300":
                continue
            codes = []
            for hi in node.select("HI"):
                for position in range(1, 13):
                    qualifier = hi.get_value(f"HI{position:02d}-1")
                    if qualifier in ("ABK", "ABF", "BK", "BF"):
                        codes.append(dotted_code(hi.get_value(f"HI{position:02d}-2"), icd9=qualifier in ("BK", "BF")))
            procedures = [line.get_value("SV1/SV101-2") or line.get_value("SV101-2") for line in node.select("2400")]
            procedures = [p for p in procedures if p]
            if not procedures:
                procedures = [seg.get_value("SV101-2") for line in node.select("2400") for seg in line.select("SV1")]
            claims.append({"claim_id": node.get_value("CLM01"), "diagnoses": codes, "procedures": procedures})
    return claims


@pytest.mark.parametrize("tr3_cli_file", tr3_examples("ambulance"))  # quick: four lines, ICD-9 codes
def test_report_matches_pyx12(tr3_cli_file, cli):
    result = cli("check", "--format", "json", "--no-structure", str(tr3_cli_file))
    if "No such option" in result.stderr:  # structure stage not wired: plain check
        result = cli("check", "--format", "json", str(tr3_cli_file))
    report = json.loads(result.stdout)
    ours = [
        {
            "claim_id": c["claim_id"],
            "diagnoses": [d["code"] for d in c["diagnoses"]],
            "procedures": [line["procedure"] for line in c["lines"]],
        }
        for c in report["claims"]
    ]
    theirs = pyx12_claims(tr3_cli_file)
    assert theirs, "pyx12 found no claim"
    assert ours == theirs


# Read by hand from the files.
HAND_CHECKED = {
    "commercial-health-insurance": (
        "26463774",
        ["034.0", "V73.89"],
        ["99213", "87070", "99214", "86663"],
        "100",
        [[1], [1], [2], [2]],
    ),
    "ambulance": ("051068", ["862.8", "E888.8", "959.2", "854.0"], ["A0427", "A0425", "A0422", "A0382"], None, None),
    "anesthesia": ("153829140", ["366.16"], ["00142"], None, None),
    "wheelchair": ("SMI123", ["436", "344.9"], ["K0001"], None, None),
}


@pytest.mark.parametrize("stem", sorted(HAND_CHECKED))
def test_values_read_by_hand(stem):
    claim_id, dx, procedures, total, pointers = HAND_CHECKED[stem]
    (claim,) = read_claims((TR3_DIR / f"{stem}.edi").read_bytes())
    assert claim.claim_id == claim_id
    assert [d.code for d in claim.diagnoses] == dx
    assert [line.procedure for line in claim.lines] == procedures
    if total is not None:
        assert claim.total_charge_raw == total
    if pointers is not None:
        assert [line.pointers for line in claim.lines] == pointers


def test_commercial_claim_context():
    (claim,) = read_claims((TR3_DIR / "commercial-health-insurance.edi").read_bytes())
    assert claim.control.isa13 == "000010216" and claim.control.gs06 == "20213" and claim.control.st02 == "0021"
    assert claim.billing_provider.npi == "9876543210"
    assert claim.payer_id == "999996666"
    assert claim.patient is not None and claim.patient.sex == "M"
    assert claim.patient.birth_date.isoformat() == "1973-05-01"
    assert claim.subscriber.sex == "F"
    assert claim.relationship == "19"
    assert claim.place_of_service == "11" and claim.frequency == "1"
    assert [str(line.service_date) for line in claim.lines] == ["2006-10-03"] * 2 + ["2006-10-10"] * 2
    assert claim.service_date.isoformat() == "2006-10-03"
    hi = claim.diagnoses[1]
    assert hi.element_ref == "HI02-2" and hi.segment.index == 31 and hi.segment.st_index == 29


def test_no_parse_issues_on_any_tr3_example(tr3_file):
    from scrubber.model import Claim
    from scrubber.transaction.walker import walk_bytes

    items = list(walk_bytes(tr3_file.read_bytes()))
    file_issues = [i for i in items if not isinstance(i, Claim)]
    claims = [i for i in items if isinstance(i, Claim)]
    assert file_issues == []
    assert claims and all(c.issues == [] for c in claims)
