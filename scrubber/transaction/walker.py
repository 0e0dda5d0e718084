"""837P walker: turns a stream of segments into located claims and file-level findings.

It follows the envelopes (ISA/GS/ST and their trailers, with counts and control numbers), the HL
hierarchy (2000A billing provider, 2000B subscriber, 2000C patient) and the claim loops (2300
claim, 2400 lines) using the tables in :mod:`scrubber.transaction.grammar`. Anything it cannot place
becomes a finding at the segment that caused it; it never raises on bad input. One claim is held
at a time, so memory does not grow with the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from scrubber.findings import Finding, Location, Severity
from scrubber.model import Claim, Control, Diagnosis, Person, Provider, ServiceLine
from scrubber.rules import envelope as env
from scrubber.rules.base import Rule
from scrubber.transaction import grammar as g
from scrubber.x12.reader import ReaderIssue, SegmentReader
from scrubber.x12.segment import Segment
from scrubber.x12.values import dotted_code, parse_date, parse_decimal, parse_period

_MAX_SEGMENT_ID = 3

_ISSUE_RULES: dict[str, Rule] = {
    "bom": env.InvalidCharacters(),
    "non_ascii": env.InvalidCharacters(),
    "empty_segment": env.TrailingData(),
    "trailing_data": env.TrailingData(),
    "oversized_segment": env.OversizedSegment(),
    "unterminated": env.MissingTrailer(),
    "bad_isa": env.MissingTrailer(),
}
_COUNTS = env.EnvelopeCountMismatch()
_CONTROLS = env.ControlNumberMismatch()
_TRAILERS = env.MissingTrailer()
_UNSUPPORTED = env.UnsupportedTransaction()
_UNEXPECTED = env.UnexpectedSegment()
_MALFORMED = env.MalformedValue()
_HIERARCHY = env.BrokenHierarchy()


@dataclass(slots=True)
class _Interchange:
    segment: Segment
    isa13: str
    sender: str
    receiver: str
    groups: int = 0


@dataclass(slots=True)
class _Group:
    segment: Segment
    gs06: str
    version: str
    transactions: int = 0


@dataclass(slots=True)
class _Transaction:
    segment: Segment
    st02: str
    supported: bool
    control: Control
    area: str = g.HEADER
    loop: str = g.HEADER
    last_hl: int = 0
    hl_ids: dict[str, str] = field(default_factory=dict)  # level code -> open HL01
    billing_provider: Provider | None = None
    billing_segments: list[Segment] = field(default_factory=list)
    payer_id: str = ""
    subscriber: Person | None = None
    subscriber_segments: list[Segment] = field(default_factory=list)
    patient: Person | None = None
    patient_segments: list[Segment] = field(default_factory=list)
    relationship: str = ""
    claim: Claim | None = None
    line: ServiceLine | None = None


@dataclass(slots=True)
class WalkerState:
    """What the walker carries from one segment to the next (the open claim excepted)."""

    interchange: _Interchange | None
    group: _Group | None
    tx: _Transaction | None


class Walker:
    """Walks the segments of one file. Iterate over :meth:`walk` for claims and file findings."""

    def __init__(self) -> None:
        self._issues: list[ReaderIssue] = []
        self._interchange: _Interchange | None = None
        self._group: _Group | None = None
        self._tx: _Transaction | None = None
        self._last_segment: Segment | None = None
        self._out: list[Claim | Finding] = []  # what the current segment produced, in order

    # -- public --------------------------------------------------------------------------------

    def on_issue(self, issue: ReaderIssue) -> None:
        """Reader callback: issues are turned into findings after the segment that raised them."""
        self._issues.append(issue)

    def walk(self, segments: Iterable[Segment], *, final: bool = True) -> Iterator[Claim | Finding]:
        """Claims and file findings in file order.

        Handlers append to an output list rather than yield: one generator per segment and
        handler was most of the walker's cost, and the order of what comes out is the same.
        ``final=False`` walks one piece of a file that continues elsewhere (see
        :mod:`scrubber.workflows.parallel`): the open claim is handed on, since the HL or ST that
        starts the next piece would close it first, and nothing is reported as missing.
        """
        out = self._out
        step, body = self._step, self._body
        for segment in segments:
            if self._issues:  # raised while reading up to this segment: they belong before it
                self._drain_issues()
            self._last_segment = segment
            sid = segment.elements[0]
            tx = self._tx
            if tx is not None and tx.supported and sid not in _ENVELOPE_HANDLERS:
                body(tx, segment, sid)  # what _step would do, without its call: most segments
            else:
                step(segment)
            if out:
                yield from out
                out.clear()
        if self._issues:
            self._drain_issues()
        if final:
            self._finish()
        elif self._tx is not None and self._tx.supported:
            self._close_claim(self._tx)
        yield from out
        out.clear()

    def prime(self, segments: Iterable[Segment]) -> None:
        """Walk context segments (an ISA, GS, ST, HL*20 block read elsewhere) without reporting."""
        for segment in segments:
            self._last_segment = segment
            self._step(segment)
        self._out.clear()
        self._issues.clear()

    def snapshot(self) -> WalkerState:
        """The envelope and transaction state, for the next piece of a split file."""
        return WalkerState(self._interchange, self._group, self._tx)

    def restore(self, state: WalkerState) -> None:
        self._interchange, self._group, self._tx = state.interchange, state.group, state.tx

    # -- dispatch ------------------------------------------------------------------------------

    def _step(self, seg: Segment) -> None:
        sid = seg.elements[0]
        handler = _ENVELOPE_HANDLERS.get(sid)
        if handler is not None:
            handler(self, seg)
            return
        tx = self._tx
        if tx is None:
            self._report(_UNEXPECTED, _unexpected_message(seg, "outside any transaction (no open ST)"), seg)
            return
        if tx.supported:
            self._body(tx, seg, sid)

    def _body(self, tx: _Transaction, seg: Segment, sid: str) -> None:
        if sid == "HL":
            self._close_claim(tx)
            self._hl(tx, seg)
            return
        if sid == "CLM":
            self._close_claim(tx)
            self._clm(tx, seg)
            return
        if sid == "LX":
            self._lx(tx, seg)
            return
        openers = _OPENERS.get((tx.area, sid))
        opened = openers and (openers.get(seg.get(1)) or openers.get(g.ANY))
        if opened:
            tx.loop = opened
            if opened == g.OTHER_SUBSCRIBER:
                tx.area = g.OTHER_SUBSCRIBER
        elif sid not in g.LOOP_SEGMENTS.get(tx.loop, ()):
            finding = self._at(_UNEXPECTED, _unexpected_message(seg, f"in loop {tx.loop}"), seg, loop=tx.loop)
            if tx.claim is not None:
                tx.claim.parse_findings.append(finding)
                tx.claim.segments.append(seg)
            else:
                self._out.append(finding)
            return
        handler = _BODY_HANDLERS.get((tx.loop, sid))
        if handler is not None:
            handler(self, tx, seg)
        self._keep(tx, seg)

    def _keep(self, tx: _Transaction, seg: Segment) -> None:
        """Remember the segment with the claim or the hierarchy level it belongs to."""
        if tx.claim is not None:
            tx.claim.segments.append(seg)
        elif tx.area == "2000A":
            tx.billing_segments.append(seg)
        elif tx.area == "2000B":
            tx.subscriber_segments.append(seg)
        elif tx.area == "2000C":
            tx.patient_segments.append(seg)

    # -- envelopes -----------------------------------------------------------------------------

    def _isa(self, seg: Segment) -> None:
        if self._interchange is not None:
            self._close_interchange(seg, missing=True)
        self._interchange = _Interchange(seg, seg.get(13).strip(), seg.get(6).strip(), seg.get(8).strip())

    def _iea(self, seg: Segment) -> None:
        if self._interchange is None:
            self._report(_TRAILERS, "IEA without an ISA", seg)
            return
        self._close_interchange(seg, missing=False)

    def _close_interchange(self, seg: Segment, *, missing: bool) -> None:
        interchange = self._interchange
        assert interchange is not None
        if self._group is not None:
            self._close_group(seg, missing=True)
        if missing:
            self._report(_TRAILERS, f"interchange {interchange.isa13} has no IEA", seg)
        else:
            self._compare_count(seg, 1, interchange.groups, "IEA01", "functional groups")
            self._compare_control(seg, 2, interchange.isa13, "IEA02", "ISA13")
        self._interchange = None

    def _gs(self, seg: Segment) -> None:
        if self._interchange is None:
            self._report(_UNEXPECTED, "GS outside an interchange (no ISA)", seg)
        else:
            self._interchange.groups += 1
        if self._group is not None:
            self._close_group(seg, missing=True)
        self._group = _Group(seg, seg.get(6), seg.get(8))

    def _ge(self, seg: Segment) -> None:
        if self._group is None:
            self._report(_TRAILERS, "GE without a GS", seg)
            return
        self._close_group(seg, missing=False)

    def _close_group(self, seg: Segment, *, missing: bool) -> None:
        group = self._group
        assert group is not None
        if self._tx is not None:
            self._close_transaction(seg, missing=True)
        if missing:
            self._report(_TRAILERS, f"functional group {group.gs06} has no GE", seg)
        else:
            self._compare_count(seg, 1, group.transactions, "GE01", "transaction sets")
            self._compare_control(seg, 2, group.gs06, "GE02", "GS06")
        self._group = None

    def _st(self, seg: Segment) -> None:
        if self._tx is not None:
            self._close_transaction(seg, missing=True)
        if self._group is None:
            self._report(_UNEXPECTED, "ST outside a functional group (no GS)", seg)
        else:
            self._group.transactions += 1
        interchange, group = self._interchange, self._group
        version = group.version if group else ""
        st03 = seg.get(3)
        control = Control(
            isa13=interchange.isa13 if interchange else "",
            gs06=group.gs06 if group else "",
            st02=seg.get(2),
            sender_id=interchange.sender if interchange else "",
            receiver_id=interchange.receiver if interchange else "",
            version=st03 or version,
        )
        supported = seg.get(1) == "837" and (st03 or version) in g.SUPPORTED_VERSIONS
        self._tx = _Transaction(seg, seg.get(2), supported, control)
        if not supported:
            kind = f"{seg.get(1) or '?'} {st03 or version or '(no version)'}"
            self._report(
                _UNSUPPORTED,
                f"transaction {seg.get(2)} is {kind}, not an 837P (005010X222A1); it was not checked",
                seg,
                element="ST01",
            )

    def _se(self, seg: Segment) -> None:
        if self._tx is None:
            self._report(_TRAILERS, "SE without an ST", seg)
            return
        self._close_transaction(seg, missing=False)

    def _close_transaction(self, seg: Segment, *, missing: bool) -> None:
        tx = self._tx
        assert tx is not None
        if missing and tx.claim is not None:
            tx.claim.parse_findings.append(
                self._at(_TRAILERS, f"claim is cut off: transaction {tx.st02} ends without an SE", seg)
            )
        self._close_claim(tx)
        if missing:
            self._report(_TRAILERS, f"transaction {tx.st02} has no SE", seg)
        else:
            self._compare_count(seg, 1, seg.st_index, "SE01", "segments from ST to SE")
            self._compare_control(seg, 2, tx.st02, "SE02", "ST02")
        self._tx = None

    def _compare_count(self, seg: Segment, position: int, actual: int, ref: str, what: str) -> None:
        declared = seg.get(position)
        if declared != str(actual) and not (declared.isdigit() and int(declared) == actual):
            self._report(
                _COUNTS, f"{ref} says {declared or '(empty)'} but the file holds {actual} {what}", seg, element=ref
            )

    def _compare_control(self, seg: Segment, position: int, expected: str, ref: str, header: str) -> None:
        value = seg.get(position)
        if value.strip() != expected.strip():
            self._report(_CONTROLS, f"{ref} {value!r} does not repeat {header} {expected!r}", seg, element=ref)

    def _finish(self) -> None:
        """End of data: close whatever is still open, reporting each missing trailer once."""
        end = self._last_segment
        if end is None:
            return
        if self._tx is not None:
            tx = self._tx
            if tx.claim is not None:
                tx.claim.parse_findings.append(
                    self._at(_TRAILERS, "claim is cut off: the file ends before its transaction's SE", end)
                )
            self._close_claim(tx)
            self._report(_TRAILERS, f"file ends inside transaction {tx.st02}: no SE", end)
            self._tx = None
        if self._group is not None:
            self._report(_TRAILERS, f"file ends inside functional group {self._group.gs06}: no GE", end)
            self._group = None
        if self._interchange is not None:
            self._report(_TRAILERS, f"file ends inside interchange {self._interchange.isa13}: no IEA", end)
            self._interchange = None

    # -- hierarchy -----------------------------------------------------------------------------

    def _hl(self, tx: _Transaction, seg: Segment) -> None:
        level = seg.get(3)
        loop = g.HL_LEVELS.get(level)
        hl_id, parent = seg.get(1), seg.get(2)
        tx.last_hl += 1
        if hl_id != str(tx.last_hl):
            self._report(
                _HIERARCHY, f"HL01 is {hl_id!r}; expected {tx.last_hl}", seg, element="HL01", loop=loop or ""
            )
            if hl_id.isdigit():
                tx.last_hl = int(hl_id)
        expected_parent = {"22": tx.hl_ids.get("20"), "23": tx.hl_ids.get("22")}.get(level)
        if level in ("22", "23") and (expected_parent is None or parent != expected_parent):
            self._report(
                _HIERARCHY,
                f"HL02 {parent!r} does not name the open {'billing provider' if level == '22' else 'subscriber'} HL",
                seg,
                element="HL02",
                loop=loop or "",
            )
        if loop is None:
            self._report(_UNEXPECTED, f"HL level {level!r} is not used in an 837P", seg, element="HL03")
            tx.area = tx.loop = "HL?"
            return
        tx.hl_ids[level] = hl_id
        tx.area = tx.loop = loop
        if level == "20":
            tx.billing_provider, tx.billing_segments = None, [seg]
            tx.hl_ids.pop("22", None)
        elif level == "22":
            tx.subscriber, tx.patient, tx.payer_id, tx.relationship = None, None, "", ""
            tx.subscriber_segments, tx.patient_segments = [seg], []
        else:
            tx.patient, tx.patient_segments = None, [seg]

    def _billing_provider(self, tx: _Transaction, seg: Segment) -> None:
        tx.billing_provider = Provider(seg.get(1), seg.get(8), seg.get(9), seg)

    def _subscriber_info(self, tx: _Transaction, seg: Segment) -> None:
        tx.relationship = seg.get(2)

    def _patient_info(self, tx: _Transaction, seg: Segment) -> None:
        tx.relationship = seg.get(1)

    def _subscriber_demographics(self, tx: _Transaction, seg: Segment) -> None:
        tx.subscriber = _person(seg, "2010BA")

    def _patient_demographics(self, tx: _Transaction, seg: Segment) -> None:
        tx.patient = _person(seg, "2010CA")

    def _payer(self, tx: _Transaction, seg: Segment) -> None:
        tx.payer_id = seg.get(9)

    # -- claim -----------------------------------------------------------------------------------

    def _clm(self, tx: _Transaction, seg: Segment) -> None:
        if tx.area not in ("2000B", "2000C", g.CLAIM, g.OTHER_SUBSCRIBER, g.SERVICE_LINE):
            self._report(_UNEXPECTED, "CLM before any subscriber (HL*22) loop", seg, loop=g.CLAIM)
        clm05 = seg.components(5)
        charge_raw = seg.get(2)
        claim = Claim(
            claim_id=seg.get(1),
            control=tx.control,
            clm_segment=seg,
            total_charge_raw=charge_raw,
            total_charge=parse_decimal(charge_raw),
            place_of_service=clm05[0] if clm05 else "",
            facility_qualifier=clm05[1] if len(clm05) > 1 else "",
            frequency=clm05[2] if len(clm05) > 2 else "",
            billing_provider=tx.billing_provider,
            payer_id=tx.payer_id,
            subscriber=tx.subscriber,
            patient=tx.patient,
            relationship=tx.relationship,
            segments=[seg],
            context_segments=tx.billing_segments + tx.subscriber_segments + tx.patient_segments,
        )
        if not claim.claim_id:
            claim.parse_findings.append(self._at(_MALFORMED, "CLM01 (claim id) is empty", seg, element="CLM01"))
        tx.claim, tx.line = claim, None
        tx.area = tx.loop = g.CLAIM

    def _close_claim(self, tx: _Transaction) -> None:
        if tx.claim is not None:
            self._out.append(tx.claim)
            tx.claim, tx.line = None, None

    def _claim_date(self, tx: _Transaction, seg: Segment) -> None:
        claim = tx.claim
        assert claim is not None
        period = self._period(seg, claim, g.CLAIM)
        if period is not None:
            claim.dates[seg.get(1)] = (period[0], period[1], seg)

    def _diagnoses(self, tx: _Transaction, seg: Segment) -> None:
        claim = tx.claim
        assert claim is not None
        for position in range(1, len(seg.elements)):
            parts = seg.components(position)
            if not parts:
                continue
            qualifier = parts[0]
            if qualifier not in g.DIAGNOSIS_QUALIFIERS:
                continue  # condition codes, anesthesia procedures: not diagnoses
            raw = parts[1] if len(parts) > 1 else ""
            if not raw:
                claim.parse_findings.append(
                    self._at(
                        _MALFORMED,
                        f"HI{position:02d} has qualifier {qualifier} but no code",
                        seg,
                        element=f"HI{position:02d}-2",
                        loop=g.CLAIM,
                    )
                )
                continue
            number = len(claim.diagnoses) + 1
            if number > g.MAX_DIAGNOSES:
                claim.parse_findings.append(
                    self._at(
                        _MALFORMED,
                        f"more than {g.MAX_DIAGNOSES} diagnosis codes on the claim",
                        seg,
                        element=f"HI{position:02d}-2",
                        loop=g.CLAIM,
                    )
                )
                return
            claim.diagnoses.append(Diagnosis(dotted_code(raw, qualifier), raw, qualifier, number, seg, position))

    def _rendering_provider(self, tx: _Transaction, seg: Segment) -> None:
        assert tx.claim is not None
        tx.claim.rendering_provider = Provider(seg.get(1), seg.get(8), seg.get(9), seg)

    # -- service lines -------------------------------------------------------------------------

    def _lx(self, tx: _Transaction, seg: Segment) -> None:
        claim = tx.claim
        if claim is None:
            self._report(_UNEXPECTED, "LX (service line) before any CLM", seg, loop=g.SERVICE_LINE)
            return
        claim.segments.append(seg)
        number_raw = seg.get(1)
        if not number_raw.isdigit():
            claim.parse_findings.append(
                self._at(
                    _MALFORMED, f"LX01 {number_raw!r} is not a line number", seg, element="LX01", loop=g.SERVICE_LINE
                )
            )
        number = int(number_raw) if number_raw.isdigit() else len(claim.lines) + 1
        tx.area = tx.loop = g.SERVICE_LINE
        tx.line = ServiceLine(
            number=number,
            segment=seg,
            lx_segment=seg,
            qualifier="",
            procedure="",
            modifiers=[],
            charge_raw="",
            charge=None,
            unit_basis="",
            units_raw="",
            units=None,
            place_of_service="",
            pointers_raw=[],
            pointers=[],
        )

    def _service(self, tx: _Transaction, seg: Segment) -> None:
        line, claim = tx.line, tx.claim
        assert line is not None and claim is not None
        sv101 = seg.components(1)
        pointers_raw = seg.components(7)
        line.segment = seg
        line.qualifier = sv101[0] if sv101 else ""
        line.procedure = sv101[1] if len(sv101) > 1 else ""
        line.modifiers = [m for m in sv101[2 : 2 + g.MAX_MODIFIERS] if m]
        line.charge_raw = seg.get(2)
        line.charge = parse_decimal(line.charge_raw)
        line.unit_basis = seg.get(3)
        line.units_raw = seg.get(4)
        line.units = parse_decimal(line.units_raw)
        line.place_of_service = seg.get(5)
        line.pointers_raw = pointers_raw
        line.pointers = [int(p) for p in pointers_raw if p.isdigit()]
        claim.lines.append(line)

    def _line_date(self, tx: _Transaction, seg: Segment) -> None:
        line, claim = tx.line, tx.claim
        assert line is not None and claim is not None
        if seg.get(1) != g.SERVICE_DATE:
            return
        period = self._period(seg, claim, g.SERVICE_LINE)
        if period is not None:
            line.service_date, line.service_date_end = period
            line.date_segment = seg

    def _line_rendering(self, tx: _Transaction, seg: Segment) -> None:
        if tx.line is not None:
            tx.line.rendering_npi = seg.get(9) if seg.get(8) == "XX" else ""
            tx.line.rendering_segment = seg

    # -- helpers -------------------------------------------------------------------------------

    def _period(self, seg: Segment, claim: Claim, loop: str) -> tuple[dt.date | None, dt.date | None] | None:
        period = parse_period(seg.get(2), seg.get(3))
        if period is None:
            claim.parse_findings.append(
                self._at(
                    _MALFORMED,
                    f"DTP{seg.get(1)} date {seg.get(3)!r} is not a valid {seg.get(2) or 'date'}",
                    seg,
                    element="DTP03",
                    loop=loop,
                )
            )
        return period

    def _report(self, rule: Rule, message: str, seg: Segment, *, element: str = "", loop: str = "") -> None:
        self._out.append(self._at(rule, message, seg, element=element, loop=loop))

    def _at(self, rule: Rule, message: str, seg: Segment, *, element: str = "", loop: str = "") -> Finding:
        return rule.finding(message, segment=seg, element=element, loop=loop)

    def _drain_issues(self) -> None:
        issues, self._issues = self._issues, []
        for issue in issues:
            rule = _ISSUE_RULES[issue.kind]
            severity = Severity.WARNING if issue.kind == "bom" else None
            if issue.segment is not None:
                finding = rule.finding(issue.message, segment=issue.segment, severity=severity)
            else:
                finding = rule.finding(issue.message, severity=severity)
                finding.location = Location(segment=0, st_segment=0, line=issue.line, offset=issue.offset)
            claim = self._tx.claim if self._tx is not None else None
            if claim is not None and issue.kind in ("non_ascii", "oversized_segment", "empty_segment"):
                claim.parse_findings.append(finding)
            else:
                self._out.append(finding)


def _person(seg: Segment, loop: str) -> Person:
    birth = parse_date(seg.get(2)) if seg.get(1) == "D8" else None
    return Person(birth_date=birth, sex=seg.get(3), dmg_segment=seg, loop=loop)


def _shown_id(seg: Segment) -> str:
    sid = seg.id
    return sid if len(sid) <= _MAX_SEGMENT_ID else f"{sid[:12]!r}"


def _unexpected_message(seg: Segment, where: str) -> str:
    sid = seg.id
    if len(sid) > _MAX_SEGMENT_ID or not sid.isalnum():
        sep = seg.delimiters.element
        return (
            f"{_shown_id(seg)} is not a segment id: the data does not use the element separator "
            f"{sep!r} that the ISA declares"
        )
    return f"{sid} segment {where}"


# (area, segment id) -> {element 01 or ANY: loop it opens}: grammar_837p.LOOP_OPENERS, indexed
# so that the many segments that open nothing cost one dict lookup.
_OPENERS: dict[tuple[str, str], dict[str, str]] = {}
for _area, _openers in g.LOOP_OPENERS.items():
    for (_sid, _element_01), _loop in _openers.items():
        _OPENERS.setdefault((_area, _sid), {})[_element_01] = _loop

_ENVELOPE_HANDLERS = {
    "ISA": Walker._isa,
    "IEA": Walker._iea,
    "GS": Walker._gs,
    "GE": Walker._ge,
    "ST": Walker._st,
    "SE": Walker._se,
}

# (loop, segment id) -> what the walker takes from it
_BODY_HANDLERS = {
    ("2010AA", "NM1"): Walker._billing_provider,
    ("2000B", "SBR"): Walker._subscriber_info,
    ("2000B", "PAT"): Walker._patient_info,
    ("2000C", "PAT"): Walker._patient_info,
    ("2010BA", "DMG"): Walker._subscriber_demographics,
    ("2010BB", "NM1"): Walker._payer,
    ("2010CA", "DMG"): Walker._patient_demographics,
    (g.CLAIM, "DTP"): Walker._claim_date,
    (g.CLAIM, "HI"): Walker._diagnoses,
    ("2310B", "NM1"): Walker._rendering_provider,
    (g.SERVICE_LINE, "SV1"): Walker._service,
    (g.SERVICE_LINE, "DTP"): Walker._line_date,
    ("2420A", "NM1"): Walker._line_rendering,
}


def walk_stream(stream: BinaryIO) -> None:
    """Claims and file-level findings of an 837P byte stream. Raises NotX12Error only up front."""
    walker = Walker()
    return walker.walk(SegmentReader(stream, walker.on_issue))


def read_claims(data: bytes) -> list[Claim]:
    """Every claim of an in-memory 837P (tests and small tools)."""
    import io

    return [item for item in walk_stream(io.BytesIO(data)) if isinstance(item, Claim)]
