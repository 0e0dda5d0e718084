"""837P walker: turns a stream of segments into located claims and parse issues.

It follows the envelopes and the HL hierarchy through :class:`~scrubber.transaction.envelope.Envelope`
and the claim loops (2300 claim, 2400 lines) through the tables of :mod:`scrubber.transaction.grammar`.
Anything it cannot place becomes a :class:`~scrubber.model.ParseIssue` at the segment that caused
it: on the claim when it is inside one, otherwise on its own in the output. It never raises on bad
input and never judges: the rules turn issues into findings. One claim is held at a time, so
memory does not grow with the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from scrubber.model import (
    Claim,
    Diagnosis,
    Hierarchy,
    IssueKind,
    ParseIssue,
    Person,
    Provider,
    ServiceLine,
    TransactionHead,
)
from scrubber.transaction import grammar as g
from scrubber.transaction.envelope import ENVELOPE_IDS, Envelope, EnvelopeState
from scrubber.transaction.reader_issues import claim_level, from_reader
from scrubber.x12.reader import ReaderIssue
from scrubber.x12.segment import Segment
from scrubber.x12.values import dotted_code, is_digits, parse_date, parse_decimal, parse_period

_MAX_SEGMENT_ID = 3


@dataclass(slots=True)
class _Body:
    """Where the walker stands inside one 837P transaction, and what it holds for the next claim."""

    head: TransactionHead | None
    area: str = g.HEADER
    loop: str = g.HEADER
    billing_provider: Provider | None = None
    billing: list[Segment] = field(default_factory=list)
    payer_id: str = ""
    subscriber: Person | None = None
    subscribers: list[Segment] = field(default_factory=list)
    patient: Person | None = None
    patients: list[Segment] = field(default_factory=list)
    relationship: str = ""
    claim: Claim | None = None
    line: ServiceLine | None = None


@dataclass(frozen=True, slots=True)
class WalkerState:
    """What the walker carries from one segment to the next, for pieces of a file checked apart."""

    envelope: EnvelopeState
    body: _Body | None


class Walker:
    """Walks the segments of one file. Iterate over :meth:`walk` for claims and parse issues."""

    def __init__(self) -> None:
        self._reader_issues: list[ReaderIssue] = []
        self._out: list[Claim | ParseIssue] = []  # what the current segment produced, in order
        self._envelope = Envelope(self._out.append, self._transaction_closes)
        self._body: _Body | None = None  # inside a supported transaction
        self._last_segment: Segment | None = None

    # -- public --------------------------------------------------------------------------------

    def on_issue(self, issue: ReaderIssue) -> None:
        """Reader callback: issues come out just before the segment that follows them."""
        self._reader_issues.append(issue)

    def walk(self, segments: Iterable[Segment], *, final: bool = True) -> Iterator[Claim | ParseIssue]:
        """Claims and file-level issues in file order.

        Handlers append to an output list rather than yield: one generator per segment and
        handler was most of the walker's cost, and the order of what comes out is the same.
        ``final=False`` walks one piece of a file that continues elsewhere: the open claim is
        handed on, since the HL or ST that starts the next piece would close it first, and
        nothing is reported as missing.
        """
        out = self._out
        envelope = self._envelope
        plain, general, envelope_ids, reader_issues = _PLAIN, _GENERAL, ENVELOPE_IDS, self._reader_issues
        for segment in segments:
            if reader_issues:  # raised while reading up to this segment: they belong before it
                self._drain_reader_issues()
            self._last_segment = segment
            sid = segment.elements[0]
            body = self._body
            if body is None or sid in envelope_ids:
                self._step(segment, sid)
            else:
                # Most segments stay in their loop and open none: one table lookup says so and
                # names the handler (if any) that reads them. The rest take the general path.
                handler = plain.get((body.area, body.loop, sid), general)
                if handler is general:
                    self._segment(body, segment, sid)
                else:
                    if handler is not None:
                        handler(self, body, segment)
                    claim = body.claim
                    if claim is not None:
                        claim.segments.append(segment)
                    else:
                        self._keep(body, segment)
            if out:
                yield from out
                out.clear()
        if self._reader_issues:
            self._drain_reader_issues(final=True)
        if final:
            if self._last_segment is not None:
                envelope.finish(self._last_segment)
        elif self._body is not None:
            self._close_claim(self._body)
        yield from out
        out.clear()

    def prime(self, segments: Iterable[Segment]) -> None:
        """Walk context segments (an ISA, GS, ST, HL*20 block read elsewhere) without reporting."""
        for segment in segments:
            self._last_segment = segment
            self._step(segment, segment.elements[0])
        self._out.clear()
        self._reader_issues.clear()

    def snapshot(self) -> WalkerState:
        """The envelope and transaction state, for the next piece of a split file."""
        return WalkerState(self._envelope.snapshot(), self._body)

    def restore(self, state: WalkerState) -> None:
        self._envelope.restore(state.envelope)
        self._body = state.body

    @property
    def envelope(self) -> Envelope:
        return self._envelope

    # -- dispatch ------------------------------------------------------------------------------

    def _step(self, seg: Segment, sid: str) -> None:
        envelope = self._envelope
        if envelope.handles(sid):
            envelope.segment(seg)
            if sid == "ST" and envelope.tx is not None and envelope.tx.supported:
                self._body = _Body(self._head(seg))
            return
        if envelope.tx is None:
            self._issue(IssueKind.UNEXPECTED, _unexpected_message(seg, "outside any transaction (no open ST)"), seg)
        elif self._body is not None:
            self._segment(self._body, seg, sid)

    def _head(self, st: Segment) -> TransactionHead | None:
        envelope = self._envelope
        if envelope.interchange is None or envelope.group is None:
            return None
        return TransactionHead(envelope.interchange.segment, envelope.group.segment, st)

    def _transaction_closes(self, seg: Segment, cut_off: str) -> None:
        """Envelope callback: the open transaction ends (``cut_off``: why its claim is incomplete)."""
        body = self._body
        if body is None:
            return
        if cut_off and body.claim is not None:
            body.claim.issues.append(ParseIssue(IssueKind.TRAILER, cut_off, seg))
        self._close_claim(body)
        self._body = None

    def _segment(self, body: _Body, seg: Segment, sid: str) -> None:
        if sid == "HL":
            self._close_claim(body)
            self._hl(body, seg)
            return
        if sid == "CLM":
            self._close_claim(body)
            self._clm(body, seg)
            return
        if sid == "LX":
            self._lx(body, seg)
            return
        openers = _OPENERS.get((body.area, sid))
        opened = openers and (openers.get(seg.get(1)) or openers.get(g.ANY))
        if opened:
            body.loop = opened
            if opened == g.OTHER_SUBSCRIBER:
                body.area = g.OTHER_SUBSCRIBER
        elif sid not in g.LOOP_SEGMENTS.get(body.loop, ()):
            issue = ParseIssue(
                IssueKind.UNEXPECTED, _unexpected_message(seg, f"in loop {body.loop}"), seg, loop=body.loop
            )
            if body.claim is not None:
                body.claim.issues.append(issue)
                body.claim.segments.append(seg)
            else:
                self._out.append(issue)
            return
        handler = _BODY_HANDLERS.get((body.loop, sid))
        if handler is not None:
            handler(self, body, seg)
        self._keep(body, seg)

    def _keep(self, body: _Body, seg: Segment) -> None:
        """Remember the segment with the claim, the hierarchy level or the header it belongs to."""
        if body.claim is not None:
            body.claim.segments.append(seg)
        elif body.area == "2000A":
            body.billing.append(seg)
        elif body.area == "2000B":
            body.subscribers.append(seg)
        elif body.area == "2000C":
            body.patients.append(seg)
        elif body.area == g.HEADER and body.head is not None:
            body.head.header.append(seg)

    # -- hierarchy -----------------------------------------------------------------------------

    def _hl(self, body: _Body, seg: Segment) -> None:
        tx = self._envelope.tx
        assert tx is not None
        loop = self._envelope.hl(tx, seg)
        if loop is None:
            body.area = body.loop = "HL?"
            return
        body.area = body.loop = loop
        level = seg.get(3)
        if level == g.BILLING_LEVEL:
            body.billing_provider, body.billing = None, [seg]
        elif level == g.SUBSCRIBER_LEVEL:
            body.subscriber, body.patient, body.payer_id, body.relationship = None, None, "", ""
            body.subscribers, body.patients = [seg], []
        else:
            body.patient, body.patients = None, [seg]

    def _billing_provider(self, body: _Body, seg: Segment) -> None:
        body.billing_provider = _provider(seg, g.BILLING_PROVIDER)

    def _subscriber_info(self, body: _Body, seg: Segment) -> None:
        body.relationship = seg.get(2)

    def _patient_info(self, body: _Body, seg: Segment) -> None:
        body.relationship = seg.get(1)

    def _subscriber_demographics(self, body: _Body, seg: Segment) -> None:
        body.subscriber = _person(seg, g.SUBSCRIBER_NAME)

    def _patient_demographics(self, body: _Body, seg: Segment) -> None:
        body.patient = _person(seg, g.PATIENT_NAME)

    def _payer(self, body: _Body, seg: Segment) -> None:
        body.payer_id = seg.get(9)

    # -- claim ---------------------------------------------------------------------------------

    def _clm(self, body: _Body, seg: Segment) -> None:
        if body.area not in _CLAIM_AREAS:
            self._issue(IssueKind.UNEXPECTED, "CLM before any subscriber (HL*22) loop", seg, loop=g.CLAIM)
        tx = self._envelope.tx
        assert tx is not None
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
            billing_provider=body.billing_provider,
            payer_id=body.payer_id,
            subscriber=body.subscriber,
            patient=body.patient,
            relationship=body.relationship,
            hierarchy=Hierarchy(body.billing, body.subscribers, body.patients),
            head=body.head,
            segments=[seg],
        )
        if not claim.claim_id:
            claim.issues.append(ParseIssue(IssueKind.MALFORMED, "CLM01 (claim id) is empty", seg, "CLM01"))
        body.claim, body.line = claim, None
        body.area = body.loop = g.CLAIM

    def _close_claim(self, body: _Body) -> None:
        if body.claim is not None:
            self._out.append(body.claim)
            body.claim, body.line = None, None

    def _claim_date(self, body: _Body, seg: Segment) -> None:
        claim = body.claim
        assert claim is not None
        period = self._period(seg, claim, g.CLAIM)
        if period is not None:
            qualifier = seg.get(1)
            claim.dates[qualifier] = (period[0], period[1], seg)
            if qualifier == g.SERVICE_DATE:
                claim.claim_service_date = period[0]

    def _diagnoses(self, body: _Body, seg: Segment) -> None:
        claim = body.claim
        assert claim is not None
        diagnoses = claim.diagnoses
        separator = seg.delimiters.component
        for position, value in enumerate(seg.elements[1:], start=1):
            if not value:
                continue
            parts = value.split(separator)
            qualifier = parts[0]
            if qualifier not in _DIAGNOSIS_QUALIFIERS:
                continue  # condition codes, anesthesia procedures: not diagnoses
            raw = parts[1] if len(parts) > 1 else ""
            if not raw:
                message = f"HI{position:02d} has qualifier {qualifier} but no code"
                claim.issues.append(ParseIssue(IssueKind.MALFORMED, message, seg, f"HI{position:02d}-2", g.CLAIM))
                continue
            number = len(diagnoses) + 1
            if number > g.MAX_DIAGNOSES:
                message = f"more than {g.MAX_DIAGNOSES} diagnosis codes on the claim"
                claim.issues.append(ParseIssue(IssueKind.MALFORMED, message, seg, f"HI{position:02d}-2", g.CLAIM))
                return
            icd10 = qualifier in _ICD10_QUALIFIERS
            diagnoses.append(Diagnosis(dotted_code(raw, not icd10), raw, qualifier, number, seg, position, icd10))

    def _rendering_provider(self, body: _Body, seg: Segment) -> None:
        assert body.claim is not None
        body.claim.rendering_provider = _provider(seg, g.RENDERING_PROVIDER)

    # -- service lines -------------------------------------------------------------------------

    def _lx(self, body: _Body, seg: Segment) -> None:
        claim = body.claim
        if claim is None:
            self._issue(IssueKind.UNEXPECTED, "LX (service line) before any CLM", seg, loop=g.SERVICE_LINE)
            return
        claim.segments.append(seg)
        number_raw = seg.get(1)
        if not is_digits(number_raw):
            message = f"LX01 {number_raw!r} is not a line number"
            claim.issues.append(ParseIssue(IssueKind.MALFORMED, message, seg, "LX01", g.SERVICE_LINE))
        number = int(number_raw) if is_digits(number_raw) else len(claim.lines) + 1
        body.area = body.loop = g.SERVICE_LINE
        body.line = ServiceLine(number, seg, seg, "", "", [], "", None, "", "", None, "", [], [])

    def _service(self, body: _Body, seg: Segment) -> None:
        line, claim = body.line, body.claim
        assert line is not None and claim is not None
        elements = seg.elements
        if len(elements) < _SV1_ELEMENTS:
            elements = elements + [""] * (_SV1_ELEMENTS - len(elements))
        separator = seg.delimiters.component
        sv101 = elements[1].split(separator) if elements[1] else []
        pointers_raw = elements[7].split(separator) if elements[7] else []
        line.segment = seg
        line.qualifier = sv101[0] if sv101 else ""
        line.procedure = sv101[1] if len(sv101) > 1 else ""
        line.modifiers = [m for m in sv101[2 : 2 + g.MAX_MODIFIERS] if m]
        line.charge_raw = elements[2]
        line.charge = parse_decimal(elements[2])
        line.unit_basis = elements[3]
        line.units_raw = elements[4]
        line.units = parse_decimal(elements[4])
        line.place_of_service = elements[5]
        line.pointers_raw = pointers_raw
        line.pointers = [int(p) for p in pointers_raw if is_digits(p)]
        claim.lines.append(line)

    def _line_date(self, body: _Body, seg: Segment) -> None:
        line, claim = body.line, body.claim
        assert line is not None and claim is not None
        if seg.get(1) != g.SERVICE_DATE:
            return
        period = self._period(seg, claim, g.SERVICE_LINE)
        if period is not None:
            line.service_date, line.service_date_end = period
            line.date_segment = seg

    def _line_rendering(self, body: _Body, seg: Segment) -> None:
        if body.line is not None:
            body.line.rendering = _provider(seg, g.LINE_RENDERING_PROVIDER)

    # -- helpers -------------------------------------------------------------------------------

    def _period(self, seg: Segment, claim: Claim, loop: str) -> tuple[dt.date | None, dt.date | None] | None:
        period = parse_period(seg.get(2), seg.get(3))
        if period is None:
            message = f"DTP{seg.get(1)} date {seg.get(3)!r} is not a valid {seg.get(2) or 'date'}"
            claim.issues.append(ParseIssue(IssueKind.MALFORMED, message, seg, "DTP03", loop))
        return period

    def _issue(self, kind: IssueKind, message: str, seg: Segment, element: str = "", loop: str = "") -> None:
        self._out.append(ParseIssue(kind, message, seg, element, loop))

    def _drain_reader_issues(self, *, final: bool = False) -> None:
        """Reader issues as parse issues. One about a segment waits until that segment has been
        walked, so that it goes to the claim holding the segment (a NUL in CLM02 is that claim's,
        not the previous one's); the others go to the claim open at the time, or to the file."""
        issues = self._reader_issues[:]
        self._reader_issues.clear()  # the same list: walk() holds it in a local
        walked = self._last_segment
        claim = self._body.claim if self._body is not None else None
        for found in issues:
            segment = found.segment
            if segment is not None and not final and (walked is None or segment.index > walked.index):
                self._reader_issues.append(found)  # its segment is next: reported once it has been walked
                continue
            issue = from_reader(found)
            if claim is not None and claim_level(found) and (segment is None or claim.segments[-1] is segment):
                claim.issues.append(issue)
            else:
                self._out.append(issue)


def _provider(seg: Segment, loop: str) -> Provider:
    qualifier, identifier = seg.get(8), seg.get(9)
    npi = identifier if qualifier == g.NPI_QUALIFIER else ""
    return Provider(seg.get(1), qualifier, identifier, npi, seg, loop)


def _person(seg: Segment, loop: str) -> Person:
    birth = parse_date(seg.get(2)) if seg.get(1) == "D8" else None
    return Person(birth_date=birth, sex=seg.get(3), dmg_segment=seg, loop=loop)


def _unexpected_message(seg: Segment, where: str) -> str:
    sid = seg.id
    if len(sid) > _MAX_SEGMENT_ID or not sid.isalnum():
        shown = sid if len(sid) <= _MAX_SEGMENT_ID else f"{sid[:12]!r}"
        return (
            f"{shown} is not a segment id: the data does not use the element separator "
            f"{seg.delimiters.element!r} that the ISA declares"
        )
    return f"{sid} segment {where}"


_CLAIM_AREAS = frozenset({"2000B", "2000C", g.CLAIM, g.OTHER_SUBSCRIBER, g.SERVICE_LINE})
_DIAGNOSIS_QUALIFIERS = g.DIAGNOSIS_QUALIFIERS
_ICD10_QUALIFIERS = g.ICD10_QUALIFIERS
_SV1_ELEMENTS = 8  # SV1 and SV101..SV107: what the walker reads of it

# (area, segment id) -> {element 01 or ANY: loop it opens}: grammar.LOOP_OPENERS, indexed so that
# the many segments that open nothing cost one dict lookup.
_OPENERS: dict[tuple[str, str], dict[str, str]] = {}
for _area, _openers in g.LOOP_OPENERS.items():
    for (_sid, _element_01), _loop in _openers.items():
        _OPENERS.setdefault((_area, _sid), {})[_element_01] = _loop

# (loop, segment id) -> what the walker takes from it
_BODY_HANDLERS = {
    (g.BILLING_PROVIDER, "NM1"): Walker._billing_provider,
    ("2000B", "SBR"): Walker._subscriber_info,
    ("2000B", "PAT"): Walker._patient_info,
    ("2000C", "PAT"): Walker._patient_info,
    (g.SUBSCRIBER_NAME, "DMG"): Walker._subscriber_demographics,
    (g.PAYER_NAME, "NM1"): Walker._payer,
    (g.PATIENT_NAME, "DMG"): Walker._patient_demographics,
    (g.CLAIM, "DTP"): Walker._claim_date,
    (g.CLAIM, "HI"): Walker._diagnoses,
    (g.RENDERING_PROVIDER, "NM1"): Walker._rendering_provider,
    (g.SERVICE_LINE, "SV1"): Walker._service,
    (g.SERVICE_LINE, "DTP"): Walker._line_date,
    (g.LINE_RENDERING_PROVIDER, "NM1"): Walker._line_rendering,
}


_GENERAL = object()  # marks a segment the table leaves to Walker._segment


# (area, loop, segment id) -> handler or None: grammar.plain_segments() with what the walker reads of each
_PLAIN = {state: _BODY_HANDLERS.get(state[1:]) for state in g.plain_segments()}


def walk_bytes(data: bytes) -> Iterator[Claim | ParseIssue]:
    """Claims and file-level issues of an in-memory 837P (tests and small tools)."""
    import io

    from scrubber.x12.reader import SegmentReader

    walker = Walker()
    return walker.walk(SegmentReader(io.BytesIO(data), walker.on_issue))


def read_claims(data: bytes) -> list[Claim]:
    """Every claim of an in-memory 837P (tests and small tools)."""
    return [item for item in walk_bytes(data) if isinstance(item, Claim)]


def claims_of(items: Iterable[Claim | ParseIssue]) -> list[Claim]:
    return [item for item in items if isinstance(item, Claim)]


__all__ = ["Walker", "WalkerState", "claims_of", "read_claims", "walk_bytes"]
