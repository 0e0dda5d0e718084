"""The 999 (005010X231A1) implementation acknowledgment, written from the native TR3 check.

One ST*999 per functional group read: AK1 names the group, then per transaction an AK2, an IK3
for each segment in error (IK303 the TR3 loop it sits in, cut to the four characters the element
allows) with an IK4 per element error (position, component, data element number, code and the
bad value), and an IK5 accepting or rejecting the transaction. AK9 counts the transactions and
says A, R or P (partially accepted: some transactions accepted). The codes are the ones pyx12's
999 gives for the same file (see :mod:`scrubber.structure.native.acklog`); the differential tests
hold them to it, and pyx12 itself validates the 999 this module writes.
"""

from __future__ import annotations

import datetime as dt
from typing import TextIO

from scrubber.structure.native.acklog import AckLog, EleNode, GsNode, IsaNode, SegNode, StNode
from scrubber.x12.segment import Delimiters
from scrubber.x12.writer import X12Writer

VERSION = "005010X231A1"
DELIMITERS = Delimiters(element="*", component=":", repetition="^", segment="~")
IK3_CODES = frozenset({"1", "2", "3", "4", "5", "6", "7", "8", "I4", "I6", "I7", "I8", "I9"})
IK4_CODES = frozenset({"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "12", "13", "I10", "I11", "I12", "I13",
                       "I6", "I9"})
_ISA_ELEMENT_CODES = {1: "010", 2: "011", 3: "012", 4: "013", 5: "005", 6: "006", 7: "007", 8: "008", 9: "014",
                      10: "015", 11: "016", 12: "017", 13: "018", 14: "019", 15: "020", 16: "027"}
_IEA_ELEMENT_CODES = {1: "021", 2: "018"}


class NotAcknowledgeable(ValueError):
    """The data holds no interchange and group a 999 could answer (or pyx12 could not have)."""


def can_acknowledge(log: AckLog) -> bool:
    return bool(log.interchanges) and log.gs is not None and not log.broken


def write_999(log: AckLog, out: TextIO, *, control: int = 1, now: dt.datetime | None = None) -> None:
    """Write the 999 for everything the native check read (``control``: ISA13 and GS06 of the 999)."""
    if not can_acknowledge(log):
        raise NotAcknowledgeable("the file has no interchange and functional group that could be acknowledged")
    now = now or dt.datetime.now()
    w = X12Writer(out, DELIMITERS)
    isa, gs = log.interchanges[-1], log.gs
    assert gs is not None
    given = (isa.elements_in + [""] * 17)[:17]
    w.open_interchange([
        "ISA", "00", " " * 10, "00", " " * 10, given[7], given[8], given[5], given[6], now.strftime("%y%m%d"),
        now.strftime("%H%M"), DELIMITERS.repetition, given[12], str(control).rjust(9, "0")[-9:], "0", given[15],
        DELIMITERS.component,
    ])
    gs_in = _gs_elements(log)
    w.open_group(["GS", "FA", gs_in[3].rstrip(), gs_in[2].rstrip(), now.strftime("%Y%m%d"), now.strftime("%H%M%S"),
                  str(control), "X", VERSION])
    number = 0
    for interchange in log.interchanges:
        for group in interchange.groups:
            number += 1
            _group(w, group, number)
    w.close_group()
    ta1 = _ta1(isa)
    if ta1 is not None:
        w.write(ta1)
    w.close_interchange()


def _gs_elements(log: AckLog) -> list[str]:
    gs = log.gs
    assert gs is not None
    return ["GS", gs.gs01 or "", gs.sender or "", gs.receiver or ""]


def _group(w: X12Writer, group: GsNode, number: int) -> None:
    w.open_transaction(["ST", "999", f"{number:04d}", VERSION])
    w.write(["AK1", group.gs01 or "", group.gs06 or "", group.gs08 or ""])
    failed = 0
    for transaction in group.transactions:
        _transaction(w, transaction)
        failed += transaction.ack not in ("A", "E")
    accepted = max(group.count_received - failed, 0)
    ack = group.ack or "R"
    if ack == "R" and accepted > 0:
        ack = "P"  # pyx12 writes R; some transactions were accepted
    w.write(["AK9", ack, str(group.count_given), str(group.count_received), str(accepted), *_gs_codes(group)[:5]])
    w.close_transaction()


def _transaction(w: X12Writer, st: StNode) -> None:
    w.write(["AK2", st.st01 or "", (st.st02 or "").strip(), st.st03 or ""])
    for segment in st.segments:
        _segment(w, segment)
    codes = {code for code, _message in st.errors}
    if any(segment.error_count() for segment in st.segments):
        codes.add("5")
    for element in st.elements:
        for _code, message, _bad in element.errors:
            if "ST" in message or "SE" in message:  # pyx12 tells ST from SE element errors by their text
                codes.add({1: "6", 2: "7"}.get(element.position, "6"))
    w.write(["IK5", st.ack, *sorted(codes)[:5]])


def _segment(w: X12Writer, segment: SegNode) -> None:
    codes = [code for code, _message in segment.errors]
    if "SEG1" in codes:
        codes = [code for code in codes if code != "SEG1"] + ([] if "8" in codes else ["8"])
    unique = sorted(set(codes))
    loop = segment.loop[:4]
    head = ["IK3", segment.seg_id, str(segment.position), loop]
    for code in unique:
        if code in IK3_CODES:
            w.write([*head, code])
    if any(element.errors for element in segment.elements) and "8" not in unique:
        w.write([*head, "8"])
    for element in segment.elements:
        _element(w, element)


def _element(w: X12Writer, element: EleNode) -> None:
    where = [str(element.position)]
    if element.component:
        where.append(str(element.component))
    reference = w.composite(*where)
    for code, _message, bad in element.errors:
        if code in IK4_CODES:
            w.write(["IK4", reference, element.data_element, code, _ik4_value(bad)])


def _ik4_value(bad: str | None) -> str:
    """The bad value as IK404 may carry it: no delimiters, at most 99 characters."""
    if not bad:
        return ""
    cleaned = "".join(" " if char in "*:^~\r\n" else char for char in bad)
    return cleaned.strip()[:99]


def _gs_codes(group: GsNode) -> list[str]:
    codes = {code for code, _message in group.errors}
    for element in group.elements:
        for _code, message, _bad in element.errors:
            if "GS" in message:
                codes.add({6: "6", 8: "2"}.get(element.position, "1"))
            elif "GE" in message:
                codes.add({2: "6"}.get(element.position, "1"))
    return sorted(codes)


def _ta1(isa: IsaNode) -> list[str] | None:
    """A TA1 when the interchange asked for one (ISA14 = 1), with the first interchange error code."""
    given = (isa.elements_in + [""] * 17)[:17]
    if given[14] != "1":
        return None
    codes = {code for code, _message in isa.errors}
    for element in isa.elements:
        for _code, message, _bad in element.errors:
            if "ISA" in message:
                codes.add(_ISA_ELEMENT_CODES.get(element.position, "000"))
            elif "IEA" in message:
                codes.add(_IEA_ELEMENT_CODES.get(element.position, "000"))
    if codes:
        return ["TA1", given[13], given[9], given[10], "R", sorted(codes)[0]]
    return ["TA1", given[13], given[9], given[10], "A", "000"]
