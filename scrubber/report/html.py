"""HTML report: one self-contained page (inline CSS and JS, nothing fetched) for people fixing claims.

Per file: a summary (claims, accepted, rejected, findings by rule), a table of claims that filters
by status and by rule, and under each claim its segments as they stood in the file, with each
finding shown inline below its segment and the element it concerns highlighted. Claims stream in
as the scan produces them; the summary, known only at the end, is written last and shown first
(CSS order). Every piece of file data is HTML-escaped.
"""

from __future__ import annotations

from html import escape
from typing import TextIO

from scrubber.findings import Finding
from scrubber.report.events import ClaimResult, FileEnd
from scrubber.x12.segment import Segment

_CSS = """
:root { --err:#b3261e; --warn:#8a5a00; --info:#0b57d0; --ok:#146c2e; --muted:#5f6368; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1f1f1f; background: #fafafa; }
header { position: sticky; top: 0; background: #fff; border-bottom: 1px solid #ddd; padding: 8px 16px;
         display: flex; gap: 16px; align-items: center; z-index: 1; }
header h1 { font-size: 16px; margin: 0 auto 0 0; }
main { padding: 16px; }
section.file { display: flex; flex-direction: column; gap: 12px; margin-bottom: 32px; }
section.file > h2 { order: -2; font-size: 15px; margin: 0; word-break: break-all; }
.summary { order: -1; display: flex; gap: 12px; flex-wrap: wrap; }
.summary .box { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 8px 14px; }
.summary .num { font-size: 22px; font-weight: 600; display: block; }
.summary .status-rejected .num, .status-rejected { color: var(--err); }
.summary .status-accepted .num, .status-accepted { color: var(--ok); }
.rules { font-size: 12px; color: var(--muted); }
table.claims { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid #ddd; }
table.claims th, table.claims td { text-align: left; padding: 6px 8px; border-top: 1px solid #eee;
                                   vertical-align: top; }
table.claims th { background: #f1f3f4; }
td.detail { padding: 0 8px 8px; }
details > summary { cursor: pointer; color: var(--muted); }
.segments { font: 12.5px/1.5 ui-monospace, monospace; background: #fcfcfc; border: 1px solid #eee;
            padding: 6px 0; overflow-x: auto; }
.seg { white-space: pre; padding: 0 8px; }
.seg .ln { display: inline-block; min-width: 4.5em; color: var(--muted); user-select: none; }
.seg.has-finding { background: #fff4f2; }
.seg[data-worst="warning"] { background: #fffaeb; } .seg[data-worst="info"] { background: #f3f7ff; }
mark { background: #ffd7d2; border-bottom: 2px solid var(--err); padding: 0 1px; }
mark.warning { background: #fff0c2; border-bottom-color: var(--warn); }
mark.info { background: #dbe8ff; border-bottom-color: var(--info); }
.finding { margin: 2px 8px 6px 5.2em; padding: 4px 8px; border-left: 3px solid var(--err); background: #fff;
           white-space: normal; font: 13px/1.4 system-ui, sans-serif; }
.finding.warning { border-left-color: var(--warn); }
.finding.info { border-left-color: var(--info); }
.finding .code { font-weight: 600; }
.finding.error .code { color: var(--err); } .finding.warning .code { color: var(--warn); }
.finding.info .code { color: var(--info); }
.finding .note, .finding .help { color: var(--muted); }
.file-findings h3 { font-size: 14px; margin: 0 0 6px; }
.unreadable { color: var(--err); font-weight: 600; }
"""

_JS = """
(function () {
  var status = document.getElementById('filter-status');
  var rule = document.getElementById('filter-rule');
  var shown = document.getElementById('shown-count');
  var claims = Array.prototype.slice.call(document.querySelectorAll('tbody.claim'));
  var rules = {};
  claims.forEach(function (c) { c.dataset.rules.split(' ').forEach(function (r) { if (r) rules[r] = 1; }); });
  Object.keys(rules).sort().forEach(function (r) {
    var o = document.createElement('option'); o.value = r; o.textContent = r; rule.appendChild(o);
  });
  function apply() {
    var n = 0;
    claims.forEach(function (c) {
      var ok = (!status.value || c.dataset.status === status.value) &&
               (!rule.value || c.dataset.rules.split(' ').indexOf(rule.value) >= 0);
      c.hidden = !ok; if (ok) n++;
    });
    shown.textContent = String(n);
  }
  status.addEventListener('change', apply); rule.addEventListener('change', apply); apply();
})();
"""


_SEVERITY_ORDER = ("error", "warning", "info")


def _e(text: object) -> str:
    return escape(str(text), quote=True)


class HtmlWriter:
    """Writes the report page; implements the ReportWriter protocol."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._file = 0
        self._table_open = False

    def begin(self, file_count: int) -> None:
        self._out.write(
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>scrubber report</title><style>{_CSS}</style></head><body>\n"
            "<header><h1>scrubber report</h1>"
            '<label>Status <select id="filter-status"><option value="">all</option>'
            '<option value="accepted">accepted</option><option value="rejected">rejected</option></select></label>'
            '<label>Rule <select id="filter-rule"><option value="">all</option></select></label>'
            '<span><span id="shown-count">0</span> claims shown</span></header>\n<main>\n'
        )

    def start_file(self, name: str) -> None:
        self._file += 1
        self._out.write(f'<section class="file" id="file-{self._file}" data-file="{_e(name)}"><h2>{_e(name)}</h2>\n')
        self._open_table()

    def _open_table(self) -> None:
        self._out.write(
            '<table class="claims"><thead><tr><th>Claim</th><th>Status</th><th>ST</th><th>Payer</th>'
            "<th>Date of service</th><th>Findings</th></tr></thead>\n"
        )
        self._table_open = True

    def _close_table(self) -> None:
        if self._table_open:
            self._out.write("</table>\n")
            self._table_open = False

    def claim(self, result: ClaimResult) -> None:
        claim = result.report
        rules = sorted({f.rule for f in claim.findings})
        status = claim.status
        out = self._out
        out.write(
            f'<tbody class="claim" data-status="{status}" data-rules="{_e(" ".join(rules))}" '
            f'data-claim="{_e(claim.claim_id)}"><tr class="claim-row">'
            f"<td>{_e(claim.claim_id or '(no id)')}</td>"
            f'<td class="status-{status}">{status}</td><td>{_e(claim.control.st02)}</td>'
            f"<td>{_e(claim.payer_id or '')}</td><td>{_e(claim.service_date or '')}</td>"
            f'<td>{len(claim.findings)} <span class="rules">{_e(", ".join(rules))}</span></td></tr>\n'
            '<tr><td class="detail" colspan="6">'
        )
        segments = result.segments
        opened = " open" if status == "rejected" else ""
        label = f"{len(segments)} segments" + (f", {claim.code_set}" if claim.code_set else "")
        out.write(f"<details{opened}><summary>{_e(label)}</summary>")
        out.write(_segments_with_findings(segments, claim.findings))
        out.write("</details></td></tr></tbody>\n")

    def file_finding(self, finding: Finding) -> None:
        """File findings are written with the totals, in finish_file."""

    def finish_file(self, end: FileEnd) -> None:
        header = end.report
        self._close_table()
        out = self._out
        summary = header.summary
        if header.file_findings:
            out.write('<div class="file-findings"><h3>File findings</h3><div class="segments">')
            for finding in header.file_findings:
                out.write(_standalone(finding))
            out.write("</div></div>\n")
        rules = " ".join(f"{_e(rule)}&nbsp;{n}" for rule, n in summary.findings_by_rule.items())
        out.write(
            f'<div class="summary" data-file-status="{header.status}">'
            f'<div class="box status-{header.status}"><span class="num" data-summary="status">{header.status}</span>'
            "file</div>"
            f'<div class="box"><span class="num" data-summary="claims">{summary.claims}</span>claims</div>'
            f'<div class="box status-accepted"><span class="num" data-summary="accepted">{summary.accepted}</span>'
            "accepted</div>"
            f'<div class="box status-rejected"><span class="num" data-summary="rejected">{summary.rejected}</span>'
            "rejected</div>"
            f'<div class="box rules">findings by rule<br>{rules or "none"}</div>'
            f'<div class="box rules">sha256<br>{_e(header.sha256)}</div></div>\n</section>\n'
        )

    def unreadable(self, name: str, reason: str) -> None:
        self._close_table()
        self._file += 1
        self._out.write(
            f'<section class="file" id="file-{self._file}" data-file="{_e(name)}"><h2>{_e(name)}</h2>'
            f'<p class="unreadable">not read: {_e(reason)}</p></section>\n'
        )

    def close(self) -> None:
        self._out.write(f"</main><script>{_JS}</script></body></html>\n")


def _segments_with_findings(segments: list[Segment], findings: list[Finding]) -> str:
    """The claim's segments, each followed by the findings located on it; the rest listed first."""
    by_segment: dict[int, list[Finding]] = {}
    shown = {segment.index for segment in segments}
    loose: list[Finding] = []
    for finding in findings:
        index = finding.location.segment if finding.location else 0
        (by_segment.setdefault(index, []) if index in shown else loose).append(finding)
    parts = ['<div class="segments">']
    parts += [_finding_box(finding) for finding in loose]
    for segment in segments:
        attached = by_segment.get(segment.index, [])
        parts.append(_segment_line(segment.index, segment.text, attached))
        parts += [_finding_box(finding) for finding in attached]
    parts.append("</div>")
    return "".join(parts)


def _standalone(finding: Finding) -> str:
    """A file-level finding: its segment (when it has one) and the finding below it."""
    location = finding.location
    if location is None or finding.segment_text is None:
        return _finding_box(finding)
    return _segment_line(location.segment, finding.segment_text, [finding]) + _finding_box(finding)


def _segment_line(index: int, text: str, findings: list[Finding]) -> str:
    """One segment, with the element each finding concerns marked (overlaps clipped)."""
    spans: list[tuple[int, int, str]] = []
    for finding in findings:
        location = finding.location
        if location is not None and location.element and location.length:
            spans.append((location.column, location.column + location.length, finding.severity.value))
    spans.sort()
    pieces, cursor = [], 0
    for start, end, severity in spans:
        start = max(start, cursor)
        end = min(end, len(text))
        if start >= end:
            if start >= len(text) and cursor <= len(text):  # element past the end: mark the gap
                pieces.append(_e(text[cursor:]) + f'<mark class="{severity}"> </mark>')
                cursor = len(text) + 1
            continue
        pieces.append(_e(text[cursor:start]) + f'<mark class="{severity}">{_e(text[start:end])}</mark>')
        cursor = end
    if cursor < len(text):
        pieces.append(_e(text[cursor:]))
    if findings:
        worst = min((f.severity.value for f in findings), key=_SEVERITY_ORDER.index)
        opening = f'<div class="seg has-finding" data-segment="{index}" data-worst="{worst}">'
    else:
        opening = f'<div class="seg" data-segment="{index}">'
    return f'{opening}<span class="ln">{index}</span>{"".join(pieces)}</div>'


def _finding_box(finding: Finding) -> str:
    severity = finding.severity.value
    location = finding.location
    where = []
    if location is not None:
        if location.segment:
            where.append(f"segment {location.segment}")
        if location.loop:
            where.append(f"loop {location.loop}")
        if location.element:
            where.append(location.element)
    parts = [
        f'<div class="finding {severity}" data-rule="{_e(finding.rule)}">'
        f'<span class="code">{_e(finding.rule)} {severity}</span>: {_e(finding.message)}'
    ]
    if where:
        parts.append(f' <span class="where">({_e(", ".join(where))})</span>')
    if finding.reference:
        parts.append(f'<div class="note">note: {_e(finding.reference)}</div>')
    if finding.fix:
        parts.append(f'<div class="help">help: {_e(finding.fix)}</div>')
    parts.append("</div>")
    return "".join(parts)
