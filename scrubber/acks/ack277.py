"""The 277CA (005010X214) claim acknowledgment: every claim of a file, accepted or rejected, and why.

Layout, per 837 transaction acknowledged:

    2000A information source (us, the clearinghouse: NM1*AY) with TRN*1 and the receipt dates
      2000B information receiver (the 837 submitter, NM1*41) with TRN*2 = the 837's BHT03,
            STC*A1:19 and the accepted/rejected counts and amounts
        2000C billing provider (NM1*85 from 2010AA), once per billing provider HL
          2000D patient (NM1*QC), once per claim: TRN*2 = CLM01, STC per status, DTP*472
            2220D service line (SVC, STC, REF*FJ, DTP*472) for each line that caused a rejection

Accepted claims get STC A2:20 (WQ); rejected ones A7 or A3 with the status codes of
:mod:`scrubber.acks.status_codes` (U). The file is written as the claim blocks stream past.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TextIO

from scrubber.acks.status_codes import (
    ACCEPTED_CATEGORY,
    ACCEPTED_CODE,
    RECEIVED_CATEGORY,
    RECEIVED_CODE,
    ClaimStatus,
)
from scrubber.acks.verdicts import Rejection, Totals, Verdicts
from scrubber.transaction.blocks import ClaimBlock, TransactionHead, find
from scrubber.x12.segment import Delimiters, Segment
from scrubber.x12.values import parse_date
from scrubber.x12.writer import X12Writer, isa_elements

VERSION = "005010X214"
DELIMITERS = Delimiters(element="*", component=":", repetition="^", segment="~")
SOURCE_NAME = "SCRUBBER CLEARINGHOUSE"
_SVC_QUALIFIERS = ("AD", "ER", "HC", "HP")
_EARLIEST = "18000101"  # X12 validators refuse dates before 1800


class Ack277Writer:
    """Writes one 277CA for the claims of one 837 file."""

    def __init__(self, out: TextIO, verdicts: Verdicts, *, control: int, now: dt.datetime | None = None) -> None:
        self._w = X12Writer(out, DELIMITERS)
        self._verdicts = verdicts
        self._control = str(control)
        self._now = now or dt.datetime.now()
        self._date = self._now.strftime("%Y%m%d")
        self._hl = 0
        self._open_st = -1  # source position of the 837 ST acknowledged last
        self._receiver_hl = ""
        self._provider_src = -1
        self._provider_hl = ""
        self.claims = 0

    def _next_hl(self) -> str:
        self._hl += 1
        return str(self._hl)

    def add(self, block: ClaimBlock) -> None:
        """Acknowledge one claim, if the check judged it (claims of unsupported transactions are not)."""
        verdict = self._verdicts.accepted(block.index)
        if verdict is None:
            return
        if self.claims == 0:
            self._open(block.head)
        self._claim(block, verdict)
        self.claims += 1

    def close(self) -> None:
        if self.claims:
            self._w.close_interchange()

    def write(self, blocks: Iterable[ClaimBlock]) -> None:
        """Acknowledge every judged claim of ``blocks``, then close the envelopes."""
        for block in blocks:
            self.add(block)
        self.close()

    # -- envelopes and upper levels --------------------------------------------------------------

    def _open(self, head: TransactionHead) -> None:
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

    def _transaction(self, head: TransactionHead) -> None:
        """2000A/2000B for one acknowledged 837 transaction."""
        w = self._w
        receiver = head.first("NM1", "40")
        submitter = head.first("NM1", "41")
        bht = head.first("BHT")
        source_hl = self._next_hl()
        w.write(["HL", source_hl, "", "20", "1"])
        w.write(["NM1", "AY", "2", _name(receiver, SOURCE_NAME), "", "", "", "", "46", _id(receiver, "SCRUBBER")])
        w.write(["TRN", "1", f"{self._control}-{head.st.get(2)}"])
        w.write(["DTP", "050", "D8", self._date])
        w.write(["DTP", "009", "D8", self._date])
        self._receiver_hl = self._next_hl()
        w.write(["HL", self._receiver_hl, source_hl, "21", "1"])
        w.write(["NM1", "41", "2", _name(submitter, "SUBMITTER"), "", "", "", "", "46", _id(submitter, "UNKNOWN")])
        w.write(["TRN", "2", (bht.get(3) if bht else "") or head.st.get(2)])
        key = (head.isa.get(13).strip(), head.gs.get(6), head.st.get(2))
        totals = self._verdicts.totals.get(key, Totals())
        total = totals.accepted_amount + totals.rejected_amount
        w.write(["STC", w.composite(RECEIVED_CATEGORY, RECEIVED_CODE), self._date, "WQ", _amount(total)])
        if totals.accepted:
            w.write(["QTY", "90", str(totals.accepted)])
        if totals.rejected:
            w.write(["QTY", "AA", str(totals.rejected)])
        if totals.accepted:
            w.write(["AMT", "YU", _amount(totals.accepted_amount)])
        if totals.rejected:
            w.write(["AMT", "YY", _amount(totals.rejected_amount)])
        self._provider_src = -1

    def _provider(self, block: ClaimBlock) -> None:
        """2000C, once per billing provider HL of the 837."""
        w = self._w
        self._provider_hl = self._next_hl()
        w.write(["HL", self._provider_hl, self._receiver_hl, "19", "1"])
        nm1 = find(block.billing, "NM1", "85")
        kind = nm1.get(2) if nm1 and nm1.get(2) in ("1", "2") else "2"
        qualifier = nm1.get(8) if nm1 and nm1.get(8) in ("FI", "SV", "XX") else "XX"
        names = [nm1.get(3), nm1.get(4), nm1.get(5)] if nm1 else ["UNKNOWN", "", ""]
        w.write(["NM1", "85", kind, *names, "", "", qualifier, nm1.get(9) if nm1 else "0000000000"])
        w.write(["TRN", "1", "0"])
        w.write(["STC", w.composite(RECEIVED_CATEGORY, RECEIVED_CODE), "", "WQ", "0"])  # STC02 not used in 2200C

    # -- claims ----------------------------------------------------------------------------------

    def _claim(self, block: ClaimBlock, accepted: bool) -> None:
        if block.head.st.index != self._open_st:
            self._open_st = block.head.st.index
            self._transaction(block.head)
        if block.billing and block.billing[0].index != self._provider_src:
            self._provider_src = block.billing[0].index
            self._provider(block)
        w = self._w
        w.write(["HL", self._next_hl(), self._provider_hl, "PT"])
        w.write(_patient(block))
        clm = block.clm
        charge = _amount_text(clm.get(2))
        w.write(["TRN", "2", clm.get(1) or "UNKNOWN"])
        rejection = None if accepted else self._verdicts.rejected.get(block.index)
        statuses = [ClaimStatus(ACCEPTED_CATEGORY, ACCEPTED_CODE)] if rejection is None else rejection.claim
        action = "WQ" if rejection is None else "U"
        for status in statuses:
            w.write(["STC", w.composite(status.category, status.code, status.entity), self._date, action, charge])
        clearinghouse_ref = find(block.segments, "REF", "D9")
        if clearinghouse_ref is not None:
            w.write(["REF", "D9", clearinghouse_ref.get(2)])
        w.write(["DTP", "472", *_service_period(block.segments, self._date)])
        if rejection is not None:
            self._lines(block, rejection)

    def _lines(self, block: ClaimBlock, rejection: Rejection) -> None:
        """2220D for each service line that caused the rejection."""
        w = self._w
        for lx, sv1, line_segments in _service_lines(block.segments):
            statuses = rejection.lines.get(lx.index)
            if not statuses:
                continue
            sv101 = sv1.components(1) if sv1 is not None else []
            qualifier = sv101[0] if sv101 and sv101[0] in _SVC_QUALIFIERS else "HC"
            procedure = sv101[1] if len(sv101) > 1 and sv101[1] else "UNKNOWN"
            charge = _amount_text(sv1.get(2) if sv1 is not None else "")
            units = sv1.get(4) if sv1 is not None else ""
            w.write(["SVC", w.composite(qualifier, procedure, *sv101[2:6]), charge, "", "", "", "", units])
            codes = [w.composite(s.category, s.code, s.entity) for s in statuses[:3]]
            extra = codes[1:] + [""] * (2 - len(codes[1:]))
            w.write(["STC", codes[0], self._date, "U", "", "", "", "", "", "", *extra])  # STC04 not used here
            control = find(line_segments, "REF", "6R")
            w.write(["REF", "FJ", control.get(2) if control is not None else lx.get(1)])
            date = find(line_segments, "DTP", "472")
            period = _service_period([date], "") if date is not None else None
            if period is not None and period[1]:
                w.write(["DTP", "472", *period])


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


def _patient(block: ClaimBlock) -> list[str]:
    """NM1*QC: the patient's name, and the subscriber's member id (5010 has no patient id)."""
    subscriber = find(block.subscriber, "NM1", "IL")
    patient = find(block.patient, "NM1", "QC") or subscriber
    member_id = subscriber.get(9) if subscriber is not None and subscriber.get(9) else "UNKNOWN"
    last = patient.get(3) if patient is not None and patient.get(3) else "UNKNOWN"
    first = patient.get(4) if patient is not None else ""
    middle = patient.get(5) if patient is not None else ""
    return ["NM1", "QC", "1", last, first, middle, "", "", "MI", member_id]


def _service_period(segments: list[Segment], fallback: str) -> list[str]:
    """D8 or RD8 spanning the claim's dates of service (DTP*472 at line or claim level)."""
    days: list[str] = []
    for segment in segments:
        if segment.id == "DTP" and segment.get(1) == "472":
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
