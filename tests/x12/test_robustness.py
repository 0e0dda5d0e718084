"""Defects found by fuzzing and a third-party corpus (issue 17), one test (or a few) each.

Each test checks behaviour through the library or the CLI only, so it runs (and fails) on the code
as it was before the fixes too.
"""

from __future__ import annotations

import io
import json
from functools import cache

import pytest

from scrubber.errors import UnreadableInput
from scrubber.synthetic import ClaimSpec, render_837
from scrubber.workflows.api import Scrubber
from scrubber.x12.reader import SegmentReader
from tests.conftest import TR3_DIR, case, slow
from tests.x12.test_walker_tr3 import pyx12_claims


@cache
def scrubber(structure: str) -> Scrubber:
    return Scrubber(structure=structure)  # type: ignore[arg-type]


def scrub(source, structure: str = "off"):
    """The reader and walker are what these tests are about: rules only unless a test says otherwise."""
    return scrubber(structure).report(source)


GOOD = render_837([ClaimSpec(claim_id="A"), ClaimSpec(claim_id="B"), ClaimSpec(claim_id="C")], line_break="\n")
CLM_B = "CLM*B*100.00*"
SV1_B = "SV1*HC:99213*100.00*"  # the first SV1 after CLM*B


def with_b(old: str, new: str) -> str:
    """GOOD with the first ``old`` at or after claim B's CLM replaced by ``new``."""
    start = GOOD.index("CLM*B*")
    at = GOOD.index(old, start)
    return GOOD[:at] + new + GOOD[at + len(old) :]


def statuses(report) -> dict[str, str]:
    return {c.claim_id: c.status for c in report.claims}


def rules_of(findings) -> list[str]:
    return [f.rule for f in findings]


def test_the_base_file_is_clean():
    report = scrub(GOOD.encode())
    assert report.status == "accepted" and statuses(report) == {"A": "accepted", "B": "accepted", "C": "accepted"}
    assert GOOD.count(CLM_B) == 1 and SV1_B in GOOD[GOOD.index(CLM_B) :]


# -- 1. huge and exponent amounts ----------------------------------------------------------------


@pytest.mark.parametrize("value", ["1e400", "1E+27", "9" * 30, "NaN", "+5", "1_000"])
@pytest.mark.parametrize(("old", "element"), [(CLM_B, "CLM02"), (SV1_B, "SV102")])
def test_an_absurd_amount_is_a_finding_on_its_claim(value, old, element):
    prefix = old.rsplit("*", 2)[0]  # "CLM*B" or "SV1*HC:99213"
    report = scrub(with_b(old, f"{prefix}*{value}*").encode())
    assert statuses(report) == {"A": "accepted", "B": "rejected", "C": "accepted"}
    b = next(c for c in report.claims if c.claim_id == "B")
    located = [(f.rule, f.location.element) for f in b.findings if f.severity == "error"]
    assert ("CLM007", element) in located


@pytest.mark.parametrize("value", ["1e400", slow("1E+27"), slow("9" * 30)])
def test_an_absurd_charge_leaves_the_json_report_complete(tmp_path, cli, value):
    path = tmp_path / "claims.837"
    path.write_text(with_b(CLM_B, f"CLM*B*{value}*"))
    result = cli("check", "--no-structure", "--format", "json", str(path))
    assert result.code == 1 and "internal error" not in result.stderr and "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    assert [(c["claim_id"], c["status"]) for c in report["claims"]] == [
        ("A", "accepted"),
        ("B", "rejected"),
        ("C", "accepted"),
    ]
    out = tmp_path / "report.json"
    assert cli("check", "--no-structure", "--format", "json", "-o", str(out), str(path)).code == 1
    assert json.loads(out.read_text())["summary"]["claims"] == 3


# -- 3. a byte order mark, and trailers after the last IEA ----------------------------------------


def test_a_byte_order_mark_rejects_the_file(tmp_path, cli):
    path = tmp_path / "bom.837"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    result = cli("check", "--no-structure", "--format", "json", str(path))
    assert result.code == 1
    report = json.loads(result.stdout)
    (finding,) = report["file_findings"]
    assert (finding["rule"], finding["severity"]) == ("ENV006", "error")
    assert report["summary"]["claims"] == 3


@pytest.mark.parametrize("structure", ["off", "native"])
@pytest.mark.parametrize("stray", ["IEA*1*000000001~\n", "SE*5*0001~\n", "GE*1*1~\n", "IEA*1*000000001~"])
def test_a_trailer_after_the_last_iea_is_an_error(stray, structure):
    report = scrub((GOOD + stray).encode(), structure)
    assert rules_of(report.file_findings) == ["ENV003"]  # one problem, one finding: not also X12007
    assert report.file_findings[0].severity == "error" and "without" in report.file_findings[0].message
    assert report.status == "rejected" and report.summary.accepted == 3
    assert report.file_findings[0].location.segment == GOOD.count("~") + 1


def test_a_trailer_after_the_last_iea_under_pyx12():
    """pyx12 stops at such a file (its own IndexError, reported as X12018); the walker's ENV003 stands."""
    report = scrub((GOOD + "IEA*1*000000001~\n").encode(), "pyx12")
    assert "ENV003" in rules_of(report.file_findings) and report.status == "rejected"
    assert [c.claim_id for c in report.claims] == ["A", "B", "C"]


@pytest.mark.parametrize("padding", [b"\x1a", b"\x00" * 32, b"  \r\n\r\n", b"Thanks, the billing office\n"])
def test_padding_after_the_last_iea_stays_a_warning(padding):
    report = scrub(GOOD.encode() + padding)
    assert report.status == "accepted"
    assert all(f.rule == "ENV007" and f.severity == "warning" for f in report.file_findings)


def test_a_byte_order_mark_before_a_second_interchange_does_not_hide_its_claims():
    second = render_837([ClaimSpec(claim_id="Z")], first_isa13=2, line_break="\n")
    report = scrub((GOOD + "\xef\xbb\xbf" + second).encode("latin-1"))
    assert [c.claim_id for c in report.claims] == ["A", "B", "C", "Z"]
    assert rules_of(report.file_findings) == ["ENV006"] and report.status == "rejected"


# -- 4. control bytes --------------------------------------------------------------------------------


@pytest.mark.parametrize("byte", ["\x00", slow("\x1a"), slow("\x7f"), slow("\x09"), slow("\x1b")])
@pytest.mark.parametrize(("old", "new", "element"), [(SV1_B, "SV1*HC:99213*100.00*U{}N*", "SV103")])
def test_a_control_byte_is_flagged_like_a_non_ascii_byte(tmp_path, cli, byte, old, new, element):
    text = with_b(old, new.format(byte))
    report = scrub(text.encode("latin-1"))
    assert statuses(report) == {"A": "accepted", "B": "rejected", "C": "accepted"}
    b = next(c for c in report.claims if c.claim_id == "B")
    (finding,) = [f for f in b.findings if f.rule == "ENV006"]
    assert finding.location.element == element and finding.severity == "error"
    path = tmp_path / "claims.837"
    path.write_bytes(text.encode("latin-1"))
    assert cli("check", "--no-structure", str(path)).code == 1


def test_a_control_byte_in_clm_belongs_to_that_claim():
    report = scrub(with_b(CLM_B, "CLM*B\x00*100.00*").encode())
    assert statuses(report) == {"A": "accepted", "B\x00": "rejected", "C": "accepted"}


def test_a_line_break_inside_a_segment_is_flagged():
    report = scrub(with_b(SV1_B, "SV1*HC:99213*100.00*U\nN*").encode())
    b = next(c for c in report.claims if c.claim_id == "B")
    assert [(f.rule, f.location.element) for f in b.findings if f.rule.startswith("ENV")] == [("ENV006", "SV103")]


def test_control_characters_as_delimiters_are_not_flagged():
    text = GOOD.replace("*", "\x1d").replace("~\n", "\x1c\n")
    report = scrub(text.encode())
    assert report.status == "accepted" and not report.file_findings and len(report.claims) == 3


# -- 5. the not-X12 message quotes nothing -----------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"NM1*IL*1*DOE*JOHN****MI*123456789~DMG*D8*19800101*M~",
        slow(b"\xef\xbb\xbfNM1*IL*1*MU\xc3\x91OZ*JOSE~"),
        slow(b"DOE, JOHN 1980-01-01\n" * 20),
        b"\x00\x01\x02\xffDOE" * 50,
    ],
    ids=["segments", "bom-and-utf8", "text", "binary"],
)
def test_the_not_x12_message_quotes_no_content(tmp_path, cli, data):
    path = tmp_path / "in.837"
    path.write_bytes(data)
    result = cli("check", "--format", "json", str(path))
    assert result.code == 2
    for leak in ("DOE", "JOHN", "MU", "1980", "NM1*IL"):
        assert leak not in result.stderr and leak not in result.stdout
    assert "\\\\x" not in result.stderr  # no double escaping
    assert "does not start with an ISA" in result.stderr and "bytes" in result.stderr


def test_data_after_the_last_iea_is_described_not_quoted():
    report = scrub(GOOD.encode() + b"DOE JOHN \xef 19800101\n")
    (finding,) = report.file_findings
    assert "DOE" not in finding.message and "\\x" not in finding.message


# -- 6. pretty-printed X12 ---------------------------------------------------------------------------


def pretty(text: str, indent: str = "  ") -> str:
    """Every segment after the ISA on its own line, indented."""
    lines = text.replace("~\n", "~").split("~")
    body = [lines[0] + "~"] + [f"{indent * (1 + i % 3)}{segment}~" for i, segment in enumerate(lines[1:-1])]
    return "\n".join(body) + "\n"


@pytest.mark.parametrize("indent", ["  ", "\t", " \t"])
def test_pretty_printed_x12_gives_the_same_claims_and_one_warning(indent):
    text = pretty(GOOD, indent)
    report = scrub(text.encode())
    assert statuses(report) == statuses(scrub(GOOD.encode()))
    assert [(f.rule, f.severity) for f in report.file_findings] == [("ENV007", "warning")]


@pytest.mark.parametrize("chunk_size", [1, 7, 64, 1 << 20])
def test_pretty_printed_positions(chunk_size):
    text = pretty(GOOD, "    ")
    segments = list(SegmentReader(io.BytesIO(text.encode()), chunk_size=chunk_size))
    lines = text.split("\n")
    assert len(segments) == len(lines) - 1
    for number, segment in enumerate(segments, start=1):
        assert segment.index == number and segment.line == number
        line = lines[number - 1].strip()
        assert text[segment.offset : segment.offset + len(segment.text)] == segment.text == line[:-1]


def test_pretty_printed_tr3_files_read_as_pyx12_reads_them(tmp_path):
    for source in sorted(TR3_DIR.glob("*.edi"))[:6]:
        path = tmp_path / source.name
        path.write_text(pretty(source.read_text()))
        theirs = [c["claim_id"] for c in pyx12_claims(path)]
        report = scrub(path)
        assert [c.claim_id for c in report.claims] == theirs and theirs, source.name


@pytest.mark.parametrize("structure", ["native", "pyx12"])
def test_pretty_printed_x12_with_the_structure_check(structure):
    checked = scrub(pretty(GOOD).encode(), structure)
    assert [c.claim_id for c in checked.claims] == ["A", "B", "C"]
    assert [f.rule for f in checked.file_findings] == ["ENV007"]
    assert all(c.status == "accepted" for c in checked.claims)


# -- 7. a broken ISA, whatever the structure setting ---------------------------------------------------


def isa_with(position: int, value: str) -> str:
    head, rest = GOOD.split("~", 1)
    elements = head.split("*")
    elements[position] = value
    return "*".join(elements) + "~" + rest


BROKEN_ISAS = {
    "isa02-short": (isa_with(2, " " * 9), "ISA02"),
    "isa12-501": (isa_with(12, "501"), "ISA12"),
    "isa13-letter": (isa_with(13, "00000000A"), "ISA13"),
    "isa09-date": (isa_with(9, "261341"), "ISA09"),
    "isa15-code": (isa_with(15, "X"), "ISA15"),
    "isa06-short": (isa_with(6, "SUBMITTER01"), "ISA06"),
}
STRUCTURE_OPTIONS = {"no-structure": ("--no-structure",), "structure": ()}
QUICK_ISAS = {("no-structure", "isa02-short"), ("structure", "isa13-letter")}  # the rest: full suite


@pytest.mark.parametrize(
    ("options", "text", "element"),
    [
        case(options, text, element, id=f"{how}-{name}", quick=(how, name) in QUICK_ISAS)
        for how, options in STRUCTURE_OPTIONS.items()
        for name, (text, element) in BROKEN_ISAS.items()
    ],
)
def test_a_broken_isa_is_a_located_error(tmp_path, cli, text, element, options):
    path = tmp_path / "claims.837"
    path.write_text(text)
    result = cli("check", "--format", "json", *options, str(path))
    assert result.code == 1, result.stderr
    report = json.loads(result.stdout)
    located = [
        (f["rule"], f["location"]["segment"], f["location"]["element"])
        for f in report["file_findings"]
        if f["location"]
    ]
    assert any(rule.startswith("ENV") and segment == 1 and ref == element for rule, segment, ref in located)
    assert [c["claim_id"] for c in report["claims"]] == ["A", "B", "C"]


def test_an_isa_cut_short_by_its_own_terminator():
    report = scrub(isa_with(2, "PASS~WORD ").encode())  # the terminator inside ISA02 ends the ISA early
    assert report.status == "rejected"
    isa = [f for f in report.file_findings if f.location and f.location.segment == 1]
    assert isa and isa[0].rule.startswith("ENV") and "PASS" not in isa[0].message


def test_an_isa_with_seventeen_elements_cannot_be_read():
    head, rest = GOOD.split("~", 1)
    with pytest.raises(UnreadableInput, match="ISA"):
        scrub((head + "*X~" + rest).encode())


def test_not_x12_still_says_why_in_one_line():
    with pytest.raises(UnreadableInput, match="does not start with an ISA"):
        scrub(b"GS*HC*1~")


# -- found by the harness: a digit that str.isdigit() takes and int() refuses --------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("LX*1~", "LX*\xb2~"),
        ("HL*2*1*22", "HL*\xb2*1*22"),
        ("SV1*HC:99213*100.00*UN*1***1~", "SV1*HC:99213*100.00*UN*1***\xb9~"),
        ("*XX*1", "*XX*\xb2"),  # NPI
        ("DTP*472*D8*2026", "DTP*472*D8*\xb2026"),
    ],
    ids=["lx01", "hl01", "sv107", "npi", "date"],
)
def test_a_superscript_digit_is_a_finding_not_a_crash(old, new):
    assert old in GOOD
    report = scrub(GOOD.replace(old, new, 1).encode("latin-1"))
    assert [c.claim_id for c in report.claims] == ["A", "B", "C"]
    assert report.status == "rejected"


def test_a_superscript_digit_in_se01():
    at = GOOD.index("SE*") + 3
    report = scrub((GOOD[:at] + "\xb3" + GOOD[at + 1 :]).encode("latin-1"))
    assert [c.claim_id for c in report.claims] == ["A", "B", "C"] and report.status == "rejected"
