"""Broken files: each gets a located finding or a one-line error with exit code 2, never a traceback."""

from __future__ import annotations

import json

import pytest

from scrubber.errors import UnreadableInput
from scrubber.synthetic import ClaimSpec, render_837
from scrubber.workflows.api import Scrubber
from scrubber.workflows.api import scrub as _scrub
from tests.conftest import slow


def scrub(data: bytes):
    """The rules-only check these reader and walker tests are about."""
    return _scrub(data, structure="off")


GOOD = render_837([ClaimSpec(claim_id="A"), ClaimSpec(claim_id="B"), ClaimSpec(claim_id="C")], line_break="\n")
END_OF_A = "DTP*472*D8*20260302~\n"  # the last segment of claim A (its service line date)


def rules(report) -> list[str]:
    return [f.rule for f in report.file_findings]


def claim(report, claim_id):
    return next(c for c in report.claims if c.claim_id == claim_id)


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1)


# -- unreadable: exit 2, one line ------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        slow(b"", "file is empty"),
        slow(bytes(range(256)) * 40, "does not start with an ISA"),
        (GOOD.encode()[:50], "ends inside the ISA header"),
        slow(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "does not start with an ISA"),
    ],
    ids=["empty", "binary", "cut-inside-isa", "pdf"],
)
def test_unreadable_input_exits_2_with_one_line(tmp_path, cli, data, reason):
    path = tmp_path / "claims.837"
    path.write_bytes(data)
    result = cli("check", str(path))
    assert result.code == 2
    assert "Traceback" not in result.stderr + result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("scrubber: error:")]
    assert len(errors) == 1 and str(path) in errors[0] and reason in errors[0]
    with pytest.raises(UnreadableInput, match=reason):
        scrub(data)


def test_missing_file_and_directory(tmp_path, cli):
    result = cli("check", str(tmp_path / "nope.837"), str(tmp_path))
    assert result.code == 2
    assert "nope.837: no such file" in result.stderr and "is a directory" in result.stderr
    assert "Traceback" not in result.stderr


def test_one_unreadable_file_does_not_stop_the_others(tmp_path, cli):
    bad, good = tmp_path / "bad.837", tmp_path / "good.837"
    bad.write_bytes(b"\x00junk")
    good.write_text(GOOD)
    result = cli("check", "--format", "json", str(bad), str(good))
    assert result.code == 2
    reports = json.loads(result.stdout)
    assert [r["status"] for r in reports] == ["unreadable", "accepted"]
    assert reports[1]["summary"]["claims"] == 3


# -- readable but broken: located findings ----------------------------------------------------


def test_bom_is_an_error_and_the_claims_are_still_read():
    report = scrub(b"\xef\xbb\xbf" + GOOD.encode())
    assert rules(report) == ["ENV006"] and report.file_findings[0].severity == "error"
    assert report.status == "rejected" and report.summary.claims == 3 and report.summary.accepted == 3


def test_non_ascii_bytes_are_located():
    text = replace_once(GOOD, END_OF_A, END_OF_A + "NTE*ADD*MU\xd1OZ~\n")
    report = scrub(text.encode("latin-1"))
    finding = next(f for f in claim(report, "A").findings if f.rule == "ENV006")
    assert finding.location.line == text.splitlines().index("NTE*ADD*MU\xd1OZ~") + 1
    assert finding.segment_text == "NTE*ADD*MU\xd1OZ"
    assert claim(report, "A").status == "rejected"
    assert claim(report, "B").status == "accepted" and claim(report, "C").status == "accepted"


def test_file_cut_in_the_middle_keeps_the_claims_before():
    cut = GOOD.index("SV1", GOOD.index("CLM*B*")) + 10
    report = scrub(GOOD[:cut].encode())
    assert [c.claim_id for c in report.claims] == ["A", "B"]
    assert claim(report, "A").status == "accepted"
    b = claim(report, "B")
    assert b.status == "rejected" and "ENV003" in [f.rule for f in b.findings]
    assert "ENV003" in rules(report) and report.status == "rejected"
    messages = " ".join(f.message for f in report.file_findings)
    assert "no SE" in messages and "no GE" in messages and "no IEA" in messages


def test_missing_iea():
    text = GOOD[: GOOD.rindex("IEA*")]
    report = scrub(text.encode())
    assert rules(report) == ["ENV003"] and "no IEA" in report.file_findings[0].message
    assert report.summary.accepted == 3


def test_doubled_terminator_is_located():
    text = replace_once(GOOD, END_OF_A, END_OF_A + "~\n")
    report = scrub(text.encode())
    finding = next(f for f in claim(report, "A").findings if f.rule == "ENV007")
    assert "empty segment" in finding.message
    assert report.summary.claims == 3


def test_segment_outside_any_loop():
    text = replace_once(GOOD, "BHT*", "SV1*HC:99213*10*UN*1***1~\nBHT*")
    report = scrub(text.encode())
    (finding,) = [f for f in report.file_findings if f.rule == "ENV005"]
    assert finding.location.line == 4 and finding.location.segment == 4
    assert finding.segment_text.startswith("SV1*HC:99213")


def test_service_line_before_claim_does_not_hide_other_claims():
    text = replace_once(GOOD, "DTP*472", "DTP*472*D8*2026020~DTP*472")  # malformed date in claim A
    text = replace_once(text, END_OF_A, END_OF_A + "ZZZ*1~\n")  # unknown segment in claim A
    report = scrub(text.encode())
    a = claim(report, "A")
    assert a.status == "rejected"
    assert {f.rule for f in a.findings if f.rule.startswith("ENV")} == {"ENV008", "ENV005"}
    assert [claim(report, x).status for x in "BC"] == ["accepted", "accepted"]


def test_text_after_the_last_iea():
    report = scrub((GOOD + "Thanks, the billing office\n").encode())
    assert rules(report) == ["ENV007"] and "after the last IEA" in report.file_findings[0].message
    assert report.summary.accepted == 3


def test_ten_megabyte_segment(tmp_path, cli):
    text = replace_once(GOOD, END_OF_A, END_OF_A + "NTE*ADD*" + "X" * (10 << 20) + "~\n")
    path = tmp_path / "big.837"
    path.write_text(text)
    result = cli("check", "--format", "json", str(path))
    assert result.code == 1 and "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    a = next(c for c in report["claims"] if c["claim_id"] == "A")
    assert [f["rule"] for f in a["findings"] if f["severity"] == "error"] == ["ENV009"]
    assert [c["status"] for c in report["claims"]] == ["rejected", "accepted", "accepted"]


def test_wrong_delimiters_say_so():
    text = GOOD.replace("*", "|")
    text = "ISA*" + text[4:106].replace("|", "*") + text[106:]  # ISA declares '*', the body uses '|'
    report = scrub(text.encode())
    messages = [f.message for f in report.file_findings]
    assert any("element separator '*'" in m for m in messages)
    assert report.status == "rejected"


def test_claims_without_clm01_and_with_bad_hl():
    text = replace_once(GOOD, "CLM*A*", "CLM**")
    text = replace_once(text, "HL*2*1*22", "HL*5*9*22")
    report = Scrubber(structure="off").report(text.encode())
    first = report.claims[0]
    assert "ENV008" in [f.rule for f in first.findings]
    assert [f.rule for f in report.file_findings].count("ENV010") >= 2


def test_broken_second_interchange_keeps_the_first():
    second = render_837([ClaimSpec(claim_id="Z")], first_isa13=2)
    report = scrub((GOOD + second[:60]).encode())
    assert [c.claim_id for c in report.claims] == ["A", "B", "C"]
    assert rules(report) == ["ENV003"] and "unreadable ISA" in report.file_findings[0].message
