"""The 277CA (005010X214) claim acknowledgment: every claim of a file, accepted or rejected, and why.

Layout, per 837 transaction acknowledged:

    2000A information source (us, the clearinghouse: NM1*AY) with TRN*1 and the receipt dates
      2000B information receiver (the 837 submitter, NM1*41) with TRN*2 = the 837's BHT03,
            STC*A1:19 and the accepted/rejected counts and amounts
        2000C billing provider (NM1*85 from 2010AA), once per billing provider HL
          2000D patient (NM1*QC), once per claim: TRN*2 = CLM01, STC per status, DTP*472
            2220D service line (SVC, STC, REF*FJ, DTP*472) for each line that caused a rejection

Accepted claims get STC A2:20 (WQ); rejected ones the status each rule declares (U). It is a sink
of the check's event stream: claims come in file order, and since the 2000B totals of a
transaction are known only after its last claim, the segments of one transaction's claims wait
in memory until the transaction ends.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TextIO

from scrubber.acks.rejections import ACCEPTED, RECEIVED, Rejection, rejection_of
from scrubber.model import Claim, TransactionHead, first_segment
from scrubber.report.events import BaseSink, ClaimResult, FileEnd
from scrubber.rules.registry import RuleRegistry
from scrubber.transaction import grammar as g
from scrubber.x12.segment import Delimiters, Segment
from scrubber.x12.values import parse_date
from scrubber.x12.writer import X12Writer, isa_elements

VERSION = "005010X214"
DELIMITERS = Delimiters(element="*", component=":", repetition="^", segment="~")
SOURCE_NAME = "SCRUBBER CLEARINGHOUSE"
_SVC_QUALIFIERS = ("AD", "ER", g.PROCEDURE_QUALIFIER, "HP")
_EARLIEST = "18000101"  # X12 validators refuse dates before 1800


class _Transaction:
    """One acknowledged 837 transaction while its claims arrive: HL numbers, totals, segments."""

    def __init__(self, head: TransactionHead, source_hl: str, receiver_hl: str) -> None:
        self.head = head
        self.source_hl = source_hl
        self.receiver_hl = receiver_hl
        self.provider_src = -1  # source position of the billing provider HL acknowledged last
        self.provider_hl = ""
        self.accepted = self.rejected = 0
        self.accepted_amount = self.rejected_amount = Decimal(0)
        self.segments: list[list[str]] = []


class Ack277Writer(BaseSink):
    """Writes one 277CA for the claims of one 837 file (a sink of its check)."""

    def __init__(self, out: TextIO, registry: RuleRegistry, *, control: int, now: dt.datetime | None = None) -> None:
        self._w = X12Writer(out, DELIMITERS)
        self._registry = registry
        self._control = str(control)
        self._now = now or dt.datetime.now()
        self._date = self._now.strftime("%Y%m%d")
        self._hl = 0
        self._open: _Transaction | None = None
        self.claims = 0

    # -- the sink ----------------------------------------------------------------------------------

    def claim(self, result: ClaimResult) -> None:
        """Acknowledge one claim (claims outside a whole ISA/GS envelope cannot be)."""
        claim = result.claim
        if claim is None or claim.head is None:
            return
        if self.claims == 0:
            self._open_interchange(claim.head)
        open_tx = self._open
        if open_tx is None or open_tx.head.st.index != claim.head.st.index:
            self._flush()
            open_tx = self._open = _Transaction(claim.head, self._next_hl(), self._next_hl())
        accepted = result.status == "accepted"
        rejection = None if accepted else rejection_of(result.report, claim, self._registry)
        self._claim(open_tx, claim, rejection)
        self.claims += 1

    def finish_file(self, end: FileEnd) -> None:
        self._flush()
        if self.claims:
            self._w.close_interchange()

    # -- envelopes and upper levels --------------------------------------------------------------

    def _next_hl(self) -> str:
        self._hl += 1
        return str(self._hl)

    def _open_interchange(self, head: TransactionHead) -> None:
        isa, gs, w = head.isa, head.gs, self._w
        w.open_interchange(
            isa_elements(
                sender_qualifier=isa.get(7),
                sender=isa.get(8).strip(),
                receiver_qualifier=isa.get(5),
                receiver=isa.get(6).strip(),
                control=self._control,
                usage=isa.get(15),
                delimiters=DELIMITERS,
                when=self._now,
            )
        )
        gs_date, gs_time = self._now.strftime("%Y%m%d"), self._now.strftime("%H%M")
        w.open_group(["GS", "HN", gs.get(3), gs.get(2), gs_date, gs_time, self._control, "X", VERSION])
        w.open_transaction(["ST", "277", "0001", VERSION])
        w.write(["BHT", "0085", "08", f"277CA{self._control}", gs_date, gs_time, "TH"])

    def _flush(self) -> None:
        """Write the open transaction's 2000A/2000B with its totals, then its claims."""
        tx, self._open = self._open, None
        if tx is None:
            return
        w, head = self._w, tx.head
        receiver = head.first("NM1", "40")
        submitter = head.first("NM1", "41")
        bht = head.first("BHT")
        w.write(["HL", tx.source_hl, "", "20", "1"])
        w.write(["NM1", "AY", "2", _name(receiver, SOURCE_NAME), "", "", "", "", "46", _id(receiver, "SCRUBBER")])
        w.write(["TRN", "1", f"{self._control}-{head.st.get(2)}"])
        w.write(["DTP", "050", "D8", self._date])
        w.write(["DTP", "009", "D8", self._date])
        w.write(["HL", tx.receiver_hl, tx.source_hl, "21", "1"])
        w.write(["NM1", "41", "2", _name(submitter, "SUBMITTER"), "", "", "", "", "46", _id(submitter, "UNKNOWN")])
        w.write(["TRN", "2", (bht.get(3) if bht else "") or head.st.get(2)])
        total = tx.accepted_amount + tx.rejected_amount
        w.write(["STC", w.composite(RECEIVED.category, RECEIVED.code), self._date, "WQ", _amount(total)])
        if tx.accepted:
            w.write(["QTY", "90", str(tx.accepted)])
        if tx.rejected:
            w.write(["QTY", "AA", str(tx.rejected)])
        if tx.accepted:
            w.write(["AMT", "YU", _amount(tx.accepted_amount)])
        if tx.rejected:
            w.write(["AMT", "YY", _amount(tx.rejected_amount)])
        for elements in tx.segments:
            w.write(elements)

    def _provider(self, tx: _Transaction, claim: Claim) -> None:
        """2000C, once per billing provider HL of the 837."""
        w = self._w
        tx.provider_hl = self._next_hl()
        tx.segments.append(["HL", tx.provider_hl, tx.receiver_hl, "19", "1"])
        nm1 = first_segment(claim.hierarchy.billing, "NM1", "85")
        kind = nm1.get(2) if nm1 and nm1.get(2) in ("1", "2") else "2"
        qualifier = nm1.get(8) if nm1 and nm1.get(8) in ("FI", "SV", g.NPI_QUALIFIER) else g.NPI_QUALIFIER
        names = [nm1.get(3), nm1.get(4), nm1.get(5)] if nm1 else ["UNKNOWN", "", ""]
        tx.segments.append(["NM1", "85", kind, *names, "", "", qualifier, nm1.get(9) if nm1 else "0000000000"])
        tx.segments.append(["TRN", "1", "0"])
        tx.segments.append(["STC", w.composite(RECEIVED.category, RECEIVED.code), "", "WQ", "0"])  # no STC02 in 2200C

    # -- claims ----------------------------------------------------------------------------------

    def _claim(self, tx: _Transaction, claim: Claim, rejection: Rejection | None) -> None:
        amount = claim.total_charge or Decimal(0)
        if rejection is None:
            tx.accepted += 1
            tx.accepted_amount += amount
        else:
            tx.rejected += 1
            tx.rejected_amount += amount
        billing = claim.hierarchy.billing
        if billing and billing[0].index != tx.provider_src:
            tx.provider_src = billing[0].index
            self._provider(tx, claim)
        w, out = self._w, tx.segments
        out.append(["HL", self._next_hl(), tx.provider_hl, "PT"])
        out.append(_patient(claim))
        clm = claim.clm_segment
        charge = _amount_text(clm.get(2))
        out.append(["TRN", "2", clm.get(1) or "UNKNOWN"])
        statuses = [ACCEPTED] if rejection is None else rejection.claim
        action = "WQ" if rejection is None else "U"
        for status in statuses:
            out.append(["STC", w.composite(status.category, status.code, status.entity), self._date, action, charge])
        clearinghouse_ref = first_segment(claim.segments, "REF", "D9")
        if clearinghouse_ref is not None:
            out.append(["REF", "D9", clearinghouse_ref.get(2)])
        out.append(["DTP", g.SERVICE_DATE, *_service_period(claim.segments, self._date)])
        if rejection is not None:
            self._lines(tx, claim, rejection)

    def _lines(self, tx: _Transaction, claim: Claim, rejection: Rejection) -> None:
        """2220D for each service line that caused the rejection."""
        w, out = self._w, tx.segments
        for lx, sv1, line_segments in _service_lines(claim.segments):
            statuses = rejection.lines.get(lx.index)
            if not statuses:
                continue
            sv101 = sv1.components(1) if sv1 is not None else []
            qualifier = sv101[0] if sv101 and sv101[0] in _SVC_QUALIFIERS else g.PROCEDURE_QUALIFIER
            procedure = sv101[1] if len(sv101) > 1 and sv101[1] else "UNKNOWN"
            charge = _amount_text(sv1.get(2) if sv1 is not None else "")
            units = sv1.get(4) if sv1 is not None else ""
            out.append(["SVC", w.composite(qualifier, procedure, *sv101[2:6]), charge, "", "", "", "", units])
            codes = [w.composite(s.category, s.code, s.entity) for s in statuses[:3]]
            extra = codes[1:] + [""] * (2 - len(codes[1:]))
            out.append(["STC", codes[0], self._date, "U", "", "", "", "", "", "", *extra])  # STC04 not used here
            control = first_segment(line_segments, "REF", "6R")
            out.append(["REF", "FJ", control.get(2) if control is not None else lx.get(1)])
            date = first_segment(line_segments, "DTP", g.SERVICE_DATE)
            period = _service_period([date], "") if date is not None else None
            if period is not None and period[1]:
                out.append(["DTP", g.SERVICE_DATE, *period])


def _service_lines(segments: list[Segment]) -> list[tuple[Segment, Segment | None, list[Segment]]]:
    lines: list[tuple[Segment, Segment | None, list[Segment]]] = []
    for segment in segments:
        if segment.id == "LX":
            lines.append((segment, None, []))
        elif lines:
            lx, sv1, rest = lines[-1]
            rest.append(segment)
            if segment.id == "SV1" and sv1 is None:
                lines[-1] = (lx, segment, rest)
    return lines


def _patient(claim: Claim) -> list[str]:
    """NM1*QC: the patient's name, and the subscriber's member id (5010 has no patient id)."""
    subscriber = first_segment(claim.hierarchy.subscriber, "NM1", "IL")
    patient = first_segment(claim.hierarchy.patient, "NM1", "QC") or subscriber
    member_id = subscriber.get(9) if subscriber is not None and subscriber.get(9) else "UNKNOWN"
    last = patient.get(3) if patient is not None and patient.get(3) else "UNKNOWN"
    first = patient.get(4) if patient is not None else ""
    middle = patient.get(5) if patient is not None else ""
    return ["NM1", "QC", "1", last, first, middle, "", "", "MI", member_id]


def _service_period(segments: list[Segment], fallback: str) -> list[str]:
    """D8 or RD8 spanning the claim's dates of service (DTP*472 at line or claim level)."""
    days: list[str] = []
    for segment in segments:
        if segment.id == "DTP" and segment.get(1) == g.SERVICE_DATE:
            value = segment.get(3)
            days += [part for part in value.split("-") if parse_date(part) is not None and part >= _EARLIEST]
    if not days:
        return ["D8", fallback]
    first, last = min(days), max(days)
    return ["D8", first] if first == last else ["RD8", f"{first}-{last}"]


def _name(nm1: Segment | None, default: str) -> str:
    return (nm1.get(3) if nm1 is not None else "") or default


def _id(nm1: Segment | None, default: str) -> str:
    return (nm1.get(9) if nm1 is not None else "") or default


def _amount_text(value: str) -> str:
    try:
        return _amount(Decimal(value))
    except Exception:
        return "0"


def _amount(value: Decimal) -> str:
    """An X12 R value: no trailing zeros after the point, no exponent."""
    text = format(value.normalize(), "f") if value else "0"
    return text
