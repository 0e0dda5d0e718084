"""CLM001-CLM005: the claim as a whole: totals, pointers, diagnoses used, dates of service.

These are the edits a payer front end runs before it looks at coverage: they need no reference
data, only the claim. Money is Decimal throughout; a float would lose cents.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from scrubber.findings import ClaimStatus, Found, Severity
from scrubber.model import Claim, ServiceLine
from scrubber.rules.base import INVALID, Rule, RuleContext
from scrubber.rules.integrity.references import TR3
from scrubber.transaction import grammar as g
from scrubber.x12.values import is_digits


def _dates(line: ServiceLine) -> list[dt.date]:
    return [d for d in (line.service_date, line.service_date_end) if d is not None]


class ChargeTotalMismatch(Rule):
    """
    What it checks:
        That CLM02 (total claim charge) equals the sum of SV102 (line charges) to the cent.
        Skipped when CLM02 or a line charge is not a number (CLM007 reports those).

    Why payers reject it:
        The TR3 requires CLM02 to equal the sum of the service line charges; payers reject
        the claim at the front end (277CA A7, 178 "Submitted charges").

    Example:
        ``CLM*PCN1*300***11:B:1*Y*A*Y*Y~`` with two lines of 100 and 150.

    Fix:
        Correct CLM02 to the sum of the line charges, or correct the line charge that is
        wrong.

    Configuration:
        Severity may be changed.

    References:
        ASC X12N 005010X222A1 TR3, CLM02 element note (loop 2300).
    """

    code = "CLM001"
    status = ClaimStatus(INVALID, "400")  # 277CA: claim is out of balance
    name = "charge-total-mismatch"
    severity = Severity.ERROR
    summary = "CLM02 differs from the sum of the SV102 line charges"
    reference = f"{TR3}, CLM02"
    fix = "Make CLM02 equal the sum of the line charges."

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Found]:
        charges = [line.charge for line in claim.lines]
        if claim.total_charge is None or not charges or any(c is None for c in charges):
            return
        total = sum((c for c in charges if c is not None), Decimal(0))
        if total != claim.total_charge:
            difference = claim.total_charge - total  # exact: parse_decimal holds at most 18 digits
            yield self.finding(
                f"CLM02 is {claim.total_charge:.2f} but the {len(charges)} service line(s) "
                f"add up to {total:.2f} (difference {difference:.2f})",
                segment=claim.clm_segment,
                element="CLM02",
                loop=g.CLAIM,
            )


class BadPointer(Rule):
    """
    What it checks:
        That every service line has a diagnosis pointer (SV107), that each pointer is a whole
        number naming a diagnosis present in the claim's HI segments (1 = the first code), and
        that a line has no more than four pointers.

    Why payers reject it:
        The pointer is how the payer links a service to its diagnosis; a pointer to nothing
        leaves the line without a diagnosis and the claim is rejected (277CA category A7).

    Example:
        ``HI*ABK:R059~`` (one diagnosis) and ``SV1*HC:71250*250*UN*1***2~`` (points to the
        second).

    Fix:
        Point SV107 at the position of the supporting diagnosis in HI, or add the missing
        diagnosis to HI.

    Configuration:
        Severity may be changed.

    References:
        ASC X12N 005010X222A1 TR3, SV107 (composite diagnosis code pointer).
    """

    code = "CLM002"
    status = ClaimStatus(INVALID, "477")  # 277CA: diagnosis code pointer missing or invalid
    name = "bad-pointer"
    severity = Severity.ERROR
    summary = "SV107 is missing or points to a diagnosis that is not on the claim"
    reference = f"{TR3}, SV107"
    fix = "Point SV107 to the position (1-12) of a diagnosis in HI."

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Found]:
        positions = {d.position for d in claim.diagnoses}
        for line in claim.lines:
            raw = [p for p in line.pointers_raw if p != ""]
            if not raw:
                yield self.finding(
                    f"line {line.number} has no diagnosis pointer",
                    segment=line.segment,
                    element="SV107",
                    loop=g.SERVICE_LINE,
                )
                continue
            for component, value in enumerate(line.pointers_raw, start=1):
                element = f"SV107-{component}"
                if component > g.MAX_POINTERS:
                    yield self.finding(
                        f"line {line.number} has more than four diagnosis pointers",
                        segment=line.segment,
                        element=element,
                        loop=g.SERVICE_LINE,
                    )
                    break
                if not is_digits(value):
                    yield self.finding(
                        f"line {line.number} pointer {value!r} is not a diagnosis position",
                        segment=line.segment,
                        element=element,
                        loop=g.SERVICE_LINE,
                    )
                elif int(value) not in positions:
                    yield self.finding(
                        f"line {line.number} points to diagnosis {int(value)}, but the claim has "
                        f"{len(positions)} diagnosis code(s)",
                        segment=line.segment,
                        element=element,
                        loop=g.SERVICE_LINE,
                    )


class UnreferencedDiagnosis(Rule):
    """
    What it checks:
        Diagnoses in HI that no service line's SV107 points to.

    Why payers reject it:
        They usually do not reject it, but an unpointed diagnosis is often the one that was
        meant to support a line: the line then pairs with the wrong code and is denied for
        medical necessity.

    Example:
        ``HI*ABK:M6281*ABF:R059~`` with the only line pointing to 1: R05.9 is never used.

    Fix:
        Point the line that the diagnosis supports to it, or leave it if it is reported only
        for completeness.

    Configuration:
        Information only by default; disable it if your payers do not care.

    References:
        ASC X12N 005010X222A1 TR3, HI and SV107.
    """

    code = "CLM003"
    status = ClaimStatus(INVALID, "255")  # 277CA: diagnosis code
    name = "unreferenced-diagnosis"
    severity = Severity.INFO
    summary = "a diagnosis on the claim is not pointed to by any service line"
    reference = f"{TR3}, HI and SV107"
    fix = "Point the service line that the diagnosis supports to it."

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Found]:
        if not claim.lines:
            return
        used = {p for line in claim.lines for p in line.pointers}
        for diagnosis in claim.diagnoses:
            if diagnosis.position not in used:
                yield self.finding(
                    f"{diagnosis.code} (diagnosis {diagnosis.position}) is not pointed to by any service line",
                    segment=diagnosis.segment,
                    element=diagnosis.element_ref,
                    loop=g.CLAIM,
                    codes=[diagnosis.code],
                )


class FutureServiceDate(Rule):
    """
    What it checks:
        Dates of service (DTP*472 on the line, or on the claim when lines have none) after the
        run's as-of date (today unless ``--as-of`` is given).

    Why payers reject it:
        A service cannot be billed before it is rendered; payers reject future dates at the
        front end (277CA A7, 187 "Date(s) of service").

    Example:
        ``DTP*472*D8*20991231~``.

    Fix:
        Correct the date of service, or hold the claim until the service has been rendered.

    Configuration:
        ``--as-of YYYY-MM-DD`` sets the date checked against (for replaying old files).

    References:
        ASC X12N 005010X222A1 TR3, DTP*472 (loops 2300 and 2400).
    """

    code = "CLM004"
    status = ClaimStatus(INVALID, "187")  # 277CA: date(s) of service
    name = "future-service-date"
    severity = Severity.ERROR
    summary = "a date of service is after the as-of date"
    reference = f"{TR3}, DTP*472"
    fix = "Correct the date of service or hold the claim until the service is rendered."

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Found]:
        for line in claim.lines:
            late = [d for d in _dates(line) if d > ctx.as_of]
            if late:
                yield self.finding(
                    f"line {line.number} date of service {max(late).isoformat()} is after {ctx.as_of.isoformat()}",
                    segment=line.date_segment or line.segment,
                    element="DTP03" if line.date_segment else "",
                    loop=g.SERVICE_LINE,
                )
        if not any(_dates(line) for line in claim.lines):
            yield from self._claim_level(claim, ctx)

    def _claim_level(self, claim: Claim, ctx: RuleContext) -> Iterator[Found]:
        start, end, segment = claim.dates.get(g.SERVICE_DATE, (None, None, None))
        late = [d for d in (start, end) if d is not None and d > ctx.as_of]
        if late and segment is not None:
            yield self.finding(
                f"claim date of service {max(late).isoformat()} is after {ctx.as_of.isoformat()}",
                segment=segment,
                element="DTP03",
                loop=g.CLAIM,
            )


class ServiceBeforeBirth(Rule):
    """
    What it checks:
        Dates of service earlier than the patient's date of birth (DMG02 of the patient, or of
        the subscriber when the subscriber is the patient).

    Why payers reject it:
        A service before birth is impossible: either the date or the patient is wrong, and the
        payer rejects the claim (277CA A7, 158 "Entity's date of birth").

    Example:
        ``DMG*D8*20260301*F~`` for the patient and ``DTP*472*D8*20260214~`` on a line.

    Fix:
        Check the date of service and the patient's date of birth (and that the right patient
        was selected), and correct the one that is wrong.

    Configuration:
        Severity may be changed. Newborn claims billed under the mother are a known exception
        some payers allow; downgrade the severity for those payers.

    References:
        ASC X12N 005010X222A1 TR3, DMG02 (loops 2010BA, 2010CA) and DTP*472.
    """

    code = "CLM005"
    status = ClaimStatus(INVALID, "187")  # 277CA: date(s) of service
    name = "service-before-birth"
    severity = Severity.ERROR
    summary = "a date of service is before the patient's date of birth"
    reference = f"{TR3}, DMG02 and DTP*472"
    fix = "Correct the date of service or the patient's date of birth."

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Found]:
        person = claim.person
        if person is None or person.birth_date is None:
            return
        born = person.birth_date
        for line in claim.lines:
            if line.service_date is not None and line.service_date < born:
                # The birth date stays out of the message: reports travel further than claims.
                yield self.finding(
                    f"line {line.number} date of service {line.service_date.isoformat()} is before "
                    "the patient's date of birth",
                    segment=line.date_segment or line.segment,
                    element="DTP03" if line.date_segment else "",
                    loop=g.SERVICE_LINE,
                )
