"""277CA, 999 and the accepted/rejected split, validated by pyx12's own (unmodified) run."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from scrubber.findings import Finding, Location, Severity
from scrubber.rules.catalogue import default_registry
from scrubber.structure.pyx12_adapter import reference_check
from scrubber.synthetic import ClaimSpec, LineSpec, render_837
from scrubber.transaction.walker import read_claims
from tests.conftest import run_cli, tr3_examples
from tests.structure.broken import BROKEN_CLAIM, broken_text


def segments(path: Path) -> list[list[str]]:
    return [s.strip().split("*") for s in path.read_text().split("~") if s.strip()]


def run_outputs(cli, tmp_path: Path, source: Path, *extra: str) -> tuple[dict, dict[str, Path]]:
    out = {
        "accepted": tmp_path / "accepted.837",
        "rejected": tmp_path / "rejected.837",
        "ack277": tmp_path / "claims.277",
        "ack999": tmp_path / "claims.999",
    }
    result = cli(
        "check",
        "--format",
        "json",
        "--accepted-out",
        str(out["accepted"]),
        "--rejected-out",
        str(out["rejected"]),
        "--ack277",
        str(out["ack277"]),
        "--ack999",
        str(out["ack999"]),
        *extra,
        str(source),
    )
    assert result.code in (0, 1), result.stderr
    return json.loads(result.stdout), out


def claim_ids(path: Path) -> list[str]:
    return [c.claim_id for c in read_claims(path.read_bytes())] if path.stat().st_size else []


@pytest.fixture(scope="module", params=tr3_examples("COB-claim-from-payer-a-to-payer-b-in-payer-to-payer"))
def tr3_outputs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict, dict[str, Path]]:
    """(example, report, output paths) of one CLI run with every output, read by the two tests below.

    Quick: the payer-to-payer COB example; the full suite takes every example.
    """
    source = request.param
    report, out = run_outputs(run_cli, tmp_path_factory.mktemp(source.stem), source)
    return source, report, out


def test_tr3_example_outputs_validate_and_partition_the_claims(tr3_outputs):
    tr3_cli_file, report, out = tr3_outputs
    input_valid, input_errors = reference_check(tr3_cli_file)
    by_status = {"accepted": [], "rejected": []}
    for claim in report["claims"]:
        by_status[claim["status"]].append(claim["claim_id"])
    assert claim_ids(out["accepted"]) == by_status["accepted"]
    assert claim_ids(out["rejected"]) == by_status["rejected"]
    for kind in ("accepted", "rejected"):
        if out[kind].stat().st_size:
            valid, errors = reference_check(out[kind])
            # A structural error rejects its claim, so accepted output is always clean; rejected
            # output keeps the input's own errors and adds none.
            assert valid or (kind == "rejected" and set(errors) <= set(input_errors)), errors
            assert valid or not input_valid
    assert reference_check(out["ack277"]) == (True, [])
    assert reference_check(out["ack999"]) == (True, [])
    for path in out.values():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_277ca_acknowledges_every_claim_with_trn02_echoing_clm01(tr3_outputs):
    _source, report, out = tr3_outputs
    ack = segments(out["ack277"])
    statuses: dict[str, list[str]] = {}
    current = None
    for segment in ack:
        if segment[0] == "TRN" and segment[1] == "2" and current == "PT":
            statuses[segment[2]] = []
        elif segment[0] == "HL":
            current = segment[3]
        if segment[0] == "STC" and current == "PT" and statuses:
            last = list(statuses)[-1]
            if not statuses[last] or segment[1].split(":")[0] == statuses[last][0].split(":")[0]:
                statuses[last].append(segment[1])
    assert list(statuses) == [c["claim_id"] for c in report["claims"]]
    for claim in report["claims"]:
        categories = {s.split(":")[0] for s in statuses[claim["claim_id"]]}
        if claim["status"] == "accepted":
            assert statuses[claim["claim_id"]] == ["A2:20"]
        else:
            assert categories <= {"A3", "A7"} and categories


def test_line_level_rejection_gets_a_2220d_with_ref_fj(tmp_path, cli):
    claims = [
        ClaimSpec(claim_id="GOOD1"),
        ClaimSpec(
            claim_id="BADLINE",
            diagnoses=["R05.9"],
            lines=[LineSpec(procedure="99213"), LineSpec(procedure="99214", pointers=[7])],
        ),
    ]
    source = tmp_path / "claims.837"
    source.write_text(render_837(claims, line_break="\n"))
    report, out = run_outputs(cli, tmp_path, source)
    assert [c["status"] for c in report["claims"]] == ["accepted", "rejected"]
    ack = segments(out["ack277"])
    svc = next(i for i, s in enumerate(ack) if s[0] == "SVC")
    assert ack[svc][1] == "HC:99214"
    assert ack[svc + 1][0] == "STC" and ack[svc + 1][1] == "A7:477" and ack[svc + 1][3] == "U"
    assert ack[svc + 2] == ["REF", "FJ", "2"]
    assert sum(1 for s in ack if s[0] == "SVC") == 1  # only the line that caused it
    trn = [s[2] for s in ack if s[0] == "TRN" and s[1] == "2"]
    assert trn[-2:] == ["GOOD1", "BADLINE"]
    assert reference_check(out["ack277"]) == (True, [])


def test_split_rebuilds_envelopes_and_hl_numbers(tmp_path, cli):
    source = tmp_path / "claims.837"
    source.write_text(broken_text())
    _report, out = run_outputs(cli, tmp_path, source)
    assert claim_ids(out["accepted"]) == ["PCNA", "PCNC"]
    assert claim_ids(out["rejected"]) == [BROKEN_CLAIM]
    accepted = segments(out["accepted"])
    assert [s[2] for s in accepted if s[0] == "ST"] == ["0001", "0003"]
    assert [s for s in accepted if s[0] == "GE"] == [["GE", "2", "1"]]
    assert [s for s in accepted if s[0] == "IEA"] == [["IEA", "1", "000000001"]]
    assert reference_check(out["accepted"]) == (True, [])
    valid, errors = reference_check(out["rejected"])
    assert not valid and len(errors) == 1 and "CLM02" in errors[0]


def test_split_of_a_clean_file_is_clean_on_both_sides(tmp_path, cli):
    claims = [
        ClaimSpec(claim_id=f"C{n}", subscriber_is_patient=n % 2 == 0, total="1.00" if n in (2, 5) else None)
        for n in range(1, 8)
    ]
    source = tmp_path / "claims.837"
    source.write_text(render_837(claims, claims_per_transaction=3, line_break="\n"))
    assert reference_check(source) == (True, [])
    _report, out = run_outputs(cli, tmp_path, source)
    assert claim_ids(out["rejected"]) == ["C2", "C5"]
    assert claim_ids(out["accepted"]) == ["C1", "C3", "C4", "C6", "C7"]
    for kind in ("accepted", "rejected"):
        assert reference_check(out[kind]) == (True, []), kind
        hl = [s for s in segments(out[kind]) if s[0] in ("ST", "HL")]
        numbers = []
        for segment in hl:
            if segment[0] == "ST":
                numbers.append([])
            else:
                numbers[-1].append(int(segment[1]))
        assert all(n == list(range(1, len(n) + 1)) for n in numbers)


def test_999_needs_the_structure_check(tmp_path, cli):
    source = tmp_path / "claims.837"
    source.write_text(broken_text())
    result = cli("check", "--no-structure", "--ack999", str(tmp_path / "x.999"), str(source))
    assert result.code == 2 and "--ack999" in result.stderr and "Traceback" not in result.stderr


def test_outputs_for_many_files_go_into_a_directory(tmp_path, cli):
    first, second = tmp_path / "a.837", tmp_path / "b.837"
    first.write_text(broken_text())
    second.write_text(render_837([ClaimSpec(claim_id="Z1")], line_break="\n"))
    outdir = tmp_path / "acks"
    outdir.mkdir()
    result = cli("check", "--ack277", str(outdir), "--ack999", str(outdir), str(first), str(second))
    assert result.code == 1, result.stderr
    assert sorted(p.name for p in outdir.iterdir()) == ["a.837.277", "a.837.999", "b.837.277", "b.837.999"]
    assert all(reference_check(p) == (True, []) for p in outdir.iterdir())


def _finding(rule: str, element: str = "", loop: str = "") -> Finding:
    location = Location(segment=5, st_segment=3, line=5, offset=0, loop=loop, element=element)
    return Finding(rule=rule, name="x", severity=Severity.ERROR, message="m", location=location)


def status_for(finding: Finding):
    return default_registry()[finding.rule].status_for(finding)


def test_each_rule_declares_its_277ca_status_refined_by_element():
    assert (status_for(_finding("ICD001", "HI01-2")).category, status_for(_finding("ICD001", "HI01-2")).code) == (
        "A7",
        "254",
    )
    assert status_for(_finding("ICD001", "HI03-2")).code == "255"
    assert status_for(_finding("CLM003", "HI01-2")).code == "254"
    assert status_for(_finding("CLM007", "SV102")).code == "178"
    assert status_for(_finding("CLM007", "SV104")).code == "476"
    assert status_for(_finding("CLM006", "NM109", "2310B")).entity == "82"
    assert status_for(_finding("CLM006", "NM109", "2010AA")).entity == "85"
    assert status_for(_finding("X12013", "CLM02")).category == "A3"
    assert status_for(_finding("ENV008", "DTP03")).category == "A7"
    assert all(rule.status.category in ("A3", "A7") for rule in default_registry())
