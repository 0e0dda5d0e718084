"""The TR3 structure check: pyx12 errors become located X12 findings on the claims they fall in."""

from __future__ import annotations

import json
import re

import pytest

from scrubber.findings import Severity
from scrubber.rules.base import DOC_HEADINGS, StructureRule
from scrubber.rules.catalogue import default_registry
from scrubber.rules.tr3 import RULES, rule_for
from scrubber.structure.pyx12_adapter import reference_check, validate
from scrubber.synthetic import ClaimSpec, render_837
from scrubber.workflows.api import Scrubber
from tests.conftest import tr3_examples
from tests.structure.broken import BROKEN_CHARGE, BROKEN_CLAIM, broken_text, clean_text, line_of


def scrub(data: bytes, *, structure: bool = True):
    return Scrubber(structure="pyx12" if structure else "off").report(data, name="claims.837")


def x12_findings(report):
    found = [f for f in report.file_findings if f.rule.startswith("X12")]
    for claim in report.claims:
        found += [f for f in claim.findings if f.rule.startswith("X12")]
    return found


# pyx12 twice per example; tests/structure/native/test_validator.py compares every example quickly
@pytest.mark.parametrize("tr3_file", tr3_examples())
def test_every_tr3_example_gets_the_errors_pyx12_itself_reports(tr3_file):
    ours = validate(tr3_file)
    valid, theirs = reference_check(tr3_file)
    assert ours.complete
    ours_messages = sorted(e.message.removesuffix(" after this segment") for e in ours.errors)
    assert ours_messages == sorted(m.split(": ", 1)[1] for m in theirs)
    assert valid == (not ours.errors)


def test_a_broken_element_rejects_only_its_claim_with_a_located_finding():
    text = broken_text()
    report = scrub(text.encode())
    by_id = {claim.claim_id: claim for claim in report.claims}
    assert {cid: c.status for cid, c in by_id.items()} == {"PCNA": "accepted", "PCNB": "rejected", "PCNC": "accepted"}
    (finding,) = [f for f in by_id[BROKEN_CLAIM].findings if f.rule.startswith("X12")]
    assert finding.rule == "X12013" and finding.name == "invalid-character"
    assert finding.severity is Severity.ERROR
    assert BROKEN_CHARGE in finding.message
    location = finding.location
    segment = line_of(text, f"CLM*{BROKEN_CLAIM}")
    st = line_of(text, "ST*837*0002")
    assert (location.segment, location.line, location.st_segment) == (segment, segment, segment - st + 1)
    assert (location.element, location.loop) == ("CLM02", "2300")
    assert finding.segment_text[location.column : location.column + location.length] == BROKEN_CHARGE
    assert "IK403 code 6" in finding.reference


def test_no_structure_skips_the_check():
    report = scrub(broken_text().encode(), structure=False)
    assert not x12_findings(report)


def test_clean_file_has_no_structure_findings():
    report = scrub(clean_text().encode())
    assert not x12_findings(report) and report.status == "accepted"


def test_envelope_errors_belong_to_the_file():
    text = re.sub(r"(SE\*\d+\*)0003", r"\g<1>0002", clean_text()).replace("ST*837*0003", "ST*837*0002")
    report = scrub(text.encode())  # ST02 0002 twice in one group: only pyx12 checks uniqueness
    envelope = [f for f in report.file_findings if f.rule == "X12003"]
    second_st = [i for i, line in enumerate(text.splitlines(), start=1) if line.startswith("ST*837*0002")][1]
    assert [f.location.segment for f in envelope] == [second_st]
    assert "not unique" in envelope[0].message and "IK502 code 23" in envelope[0].reference
    assert report.status == "rejected" and all(c.status == "accepted" for c in report.claims)


def test_an_envelope_error_the_walker_reports_is_not_repeated():
    text = clean_text().replace("SE*", "SE*9", 1)
    report = scrub(text.encode())
    rules = [f.rule for f in report.file_findings]
    assert "ENV001" in rules and "X12003" not in rules


def test_subscriber_level_error_rejects_the_claims_under_it():
    text = clean_text()
    nm1 = next(line for line in text.splitlines() if line.startswith("NM1*IL"))
    text = text.replace(nm1, nm1.replace("*MI*", "*ZZ*"), 1)  # NM108 ZZ is not a code the TR3 allows
    report = scrub(text.encode())
    first = report.claims[0]
    assert first.status == "rejected"
    assert any(f.rule == "X12014" and f.location.element == "NM108" for f in first.findings)
    assert [c.status for c in report.claims[1:]] == ["accepted", "accepted"]


def test_non_ascii_bytes_do_not_stop_the_check():
    text = broken_text().replace("N3*1 MAIN ST", "N3*1 MA\u00d1N ST", 1)
    report = scrub(text.encode("latin-1"))  # pyx12 alone raises UnicodeDecodeError here
    everything = report.file_findings + [f for c in report.claims for f in c.findings]
    n3 = line_of(text, "N3*1 MA")
    assert any(f.rule == "ENV006" and f.location.segment == n3 for f in everything)  # the walker's
    elements = {(f.location.segment, f.location.element) for f in x12_findings(report)}
    assert (n3, "N301") in elements  # pyx12's invalid character, and it went on to the later CLM02:
    assert (line_of(text, "CLM*PCNB"), "CLM02") in elements


def test_a_doubled_terminator_does_not_stop_the_check():
    text = broken_text().replace("BHT*", "~BHT*", 1)  # an empty segment before the BHT
    report = scrub(text.encode())  # pyx12 alone stops reading silently at "~~"
    assert any(f.rule == "ENV007" for f in report.file_findings)
    assert any(f.location.element == "CLM02" for f in x12_findings(report))
    assert not [f for f in report.file_findings if f.rule in ("X12001", "X12002", "X12003")]


def test_an_isa_pyx12_cannot_read_is_a_finding_not_a_crash():
    padded = "*" + "SUBMITTER01".ljust(15) + "*"
    assert padded in clean_text()
    text = clean_text().replace(padded, "*SUBMITTER01*", 1)  # ISA06 not padded: the ISA is short
    report = scrub(text.encode())
    assert any(f.rule == "X12018" for f in report.file_findings)


def test_stdin_input_is_spooled_and_checked(cli):
    result = cli("check", "--format", "json", "-", stdin=broken_text().encode())
    assert result.code == 1
    report = json.loads(result.stdout)
    (claim,) = [c for c in report["claims"] if c["claim_id"] == BROKEN_CLAIM]
    assert "X12013" in [f["rule"] for f in claim["findings"]]


def test_pyx12_log_lines_reach_structlog_without_segment_data(tmp_path, cli):
    text = broken_text().replace("*MBR", "*M\u00c9MBER", 1)  # a member id pyx12 will quote
    path = tmp_path / "claims.837"
    path.write_bytes(text.encode("latin-1"))
    result = cli("--log-level", "debug", "check", "--structure", "pyx12", "--format", "json", str(path))
    events = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert any(e["event"] == "pyx12.log" and e.get("code") for e in events)
    for secret in ("PUBLIC", "JOHN", "MBR0", "M\u00c9MBER", "19700501", BROKEN_CHARGE):
        assert secret not in result.stderr


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_every_structure_rule_has_a_doc_page_and_is_catalogued(rule):
    doc = rule.doc()
    for heading in DOC_HEADINGS:
        assert f"{heading}:" in doc
    assert isinstance(rule, StructureRule) and rule.code in default_registry()


def test_every_pyx12_level_maps_to_a_rule():
    assert rule_for("ele", "6").code == "X12013"
    assert rule_for("seg", "3").code == "X12006"
    assert rule_for("seg", "unheard-of").code == "X12009"
    assert rule_for("st", "4").code == "X12003"
    assert rule_for("nonsense", "1").code == "X12018"


def test_a_component_error_names_the_component():
    text = clean_text().replace("***11:B:1*", "***11:Q:1*", 1)  # CLM05-2 facility code qualifier must be B
    report = scrub(text.encode())
    (finding,) = x12_findings(report)
    assert (finding.rule, finding.location.element) == ("X12014", "CLM05-2")
    column = finding.location.column
    assert finding.segment_text[column : column + finding.location.length] == "Q"
    assert report.claims[0].status == "rejected"


def test_a_missing_segment_is_charged_to_the_claim_it_is_missing_from():
    claims = [ClaimSpec(claim_id=claim_id) for claim_id in ("A", "B", "C")]
    lines = render_837(claims, line_break="\n").split("\n")
    gap = next(i for i, line in enumerate(lines) if line.startswith("DTP*472"))  # claim A's only line date
    del lines[gap]
    text = "\n".join(lines).replace("SE*51*", "SE*50*")
    report = scrub(text.encode())
    statuses = {claim.claim_id: claim.status for claim in report.claims}
    assert statuses == {"A": "rejected", "B": "accepted", "C": "accepted"}
    (finding,) = [f for f in report.claims[0].findings if f.rule == "X12006"]
    assert finding.location.segment == gap  # the SV1 just before the gap (1-based: gap - 1 + 1)
    assert "(DTP) missing after this segment" in finding.message


def test_native_and_pyx12_give_the_same_findings_on_the_tr3_examples(tr3_file):
    """The default engine is held to the reference engine through the whole pipeline: same rules
    at the same places (only the reference names the engine that checked)."""

    def located(structure: str) -> list[tuple]:
        report = Scrubber(structure=structure).report(tr3_file.read_bytes(), name=tr3_file.name)
        found = [(None, f) for f in report.file_findings] + [(c.claim_id, f) for c in report.claims for f in c.findings]
        return [(claim, f.rule, f.severity, f.message, f.location, f.codes) for claim, f in found]

    assert located("native") == located("pyx12")
