"""Text and HTML reports: every TR3 example renders, and a broken segment is shown where it is."""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser

import pytest

from scrubber.report.events import ClaimResult
from scrubber.report.html import HtmlWriter
from scrubber.report.text import TextWriter
from scrubber.report.writers import writer_for
from scrubber.workflows.api import Scrubber
from tests.conftest import TR3_FILES, case
from tests.structure.broken import BROKEN_CHARGE, BROKEN_CLAIM, broken_text, line_of


def render(fmt: str, data: bytes, name: str = "claims.837") -> str:
    """The report of one file in a format, through the same streaming path the CLI uses."""
    out = io.StringIO()
    writer = writer_for(fmt, out)
    writer.begin(1)
    Scrubber(structure="pyx12").check(data, writer, name)
    writer.close()
    return out.getvalue()


class _Tags(HTMLParser):
    """Collects tags so a test can check the page is well-formed enough to parse."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


# A quick run renders one example as HTML, the format with the most to check here (the CLI's JSON
# of a TR3 example is in test_check_command.py, every example's text report in test_golden.py);
# the full suite renders every example in every format.
@pytest.mark.parametrize(
    ("tr3_cli_file", "fmt"),
    [
        case(path, fmt, id=f"{path.stem}-{fmt}", quick=(path.stem, fmt) == ("ambulance", "html"))
        for path in TR3_FILES
        for fmt in ("text", "json", "html")
    ],
)
def test_every_tr3_example_renders_in_every_format(tr3_cli_file, fmt, cli):
    result = cli("check", "--format", fmt, str(tr3_cli_file))
    assert result.code in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    if fmt == "json":
        assert json.loads(result.stdout)["schema"] == "scrubber.report/1"
    elif fmt == "html":
        parser = _Tags()
        parser.feed(result.stdout)
        assert result.stdout.startswith("<!doctype html>") and result.stdout.rstrip().endswith("</html>")
        assert not [t for t, a in parser.tags if t in ("link", "img") or (t == "script" and a.get("src"))]
    else:
        assert "claims," in result.stdout


def test_text_report_points_carets_at_the_broken_element():
    text = broken_text()
    report = render("text", text.encode())
    lines = report.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("X12013 error:"))
    segment = line_of(text, f"CLM*{BROKEN_CLAIM}")
    assert lines[head + 1].strip() == f"--> claims.837 segment {segment} (claim {BROKEN_CLAIM}, loop 2300, CLM02)"
    gutter, excerpt, carets = lines[head + 2], lines[head + 3], lines[head + 4]
    assert gutter.strip() == "|"
    assert excerpt.strip().startswith(f"{segment} | CLM*{BROKEN_CLAIM}*{BROKEN_CHARGE}")
    assert carets.index("^") == excerpt.index(BROKEN_CHARGE) and carets.count("^") == len(BROKEN_CHARGE)
    assert lines[head + 5].strip().startswith("= note:") and "IK403 code 6" in lines[head + 5]
    assert lines[head + 6].strip().startswith("= help:")
    assert f"claim {BROKEN_CLAIM}: rejected" in report


def test_text_report_colours_only_when_asked():
    out = io.StringIO()
    writer = TextWriter(out, color=True)
    report = Scrubber(structure="off").report(broken_text().encode(), name="c.837")
    writer.start_file("c.837")
    for claim in report.claims:
        writer.claim(ClaimResult.of(claim))
    assert "\x1b[" in out.getvalue()
    assert "\x1b[" not in render("text", broken_text().encode())


def test_html_report_shows_the_structure_finding_inline_at_its_element():
    text = broken_text()
    page = render("html", text.encode())
    segment = line_of(text, f"CLM*{BROKEN_CLAIM}")
    row = re.search(rf'<div class="seg has-finding" data-segment="{segment}" data-worst="error">(.*?)</div>', page)
    assert row is not None
    assert f'<mark class="error">{BROKEN_CHARGE}</mark>' in row.group(1)
    after = page[row.end() :]
    assert after.startswith('<div class="finding error" data-rule="X12013">')
    assert "CLM02" in after[: after.index("</div></div>") if "</div></div>" in after else 400]
    claim = re.search(
        rf'<tbody class="claim" data-status="(\w+)" data-rules="([^"]*)" data-claim="{BROKEN_CLAIM}"', page
    )
    assert claim is not None and claim.group(1) == "rejected" and "X12013" in claim.group(2).split()
    assert '<span class="num" data-summary="rejected">1</span>' in page


def test_html_report_escapes_file_data():
    hostile = broken_text().replace("CLM*PCNA*", "CLM*<script>alert(1)</script>&*", 1)
    page = render("html", hostile.encode(), name='x"><img src=x>.837')
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&amp;" in page
    assert 'x"><img' not in page and "x&quot;&gt;&lt;img src=x&gt;.837" in page
    assert page.count("<script>") == 1  # ours, inline, at the end


def test_html_writer_is_found_by_format_name():
    assert isinstance(writer_for("html", io.StringIO()), HtmlWriter)
