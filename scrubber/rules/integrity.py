"""CLM: claim integrity. Totals, pointers, dates, NPIs, units and code shapes.

These are the edits a payer front end runs before it looks at coverage: they need no reference
data, only the claim. Money is Decimal throughout; a float would lose cents.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal

from scrubber.findings import Finding, Severity
from scrubber.model import Claim, Provider, ServiceLine
from scrubber.rules.base import Rule, RuleContext
from scrubber.x12.segment import Segment
from scrubber.x12.values import decimal_problem, is_digits

TR3 = "ASC X12N 005010X222A1 (837P) TR3"
NPI_STANDARD = "45 CFR 162.406 (NPI); CMS NPI check digit: Luhn formula with the 80840 prefix"


def npi_is_valid(npi: str) -> bool:
    """Ten digits starting with 1 or 2, whose Luhn check over ``80840`` + NPI comes out to zero."""
    if len(npi) != 10 or not is_digits(npi) or npi[0] not in "12":
        return False
    total = 0
    for index, char in enumerate(reversed("80840" + npi)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


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
    name = "charge-total-mismatch"
    severity = Severity.ERROR
    summary = "CLM02 differs from the sum of the SV102 line charges"
    reference = f"{TR3}, CLM02"
    fix = "Make CLM02 equal the sum of the line charges."

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Finding]:
        charges = [line.charge for line in claim.lines]
        if claim.total_charge is None or not charges or any(c is None for c in charges):
            return
        total = sum((c for c in charges if c is not None), Decimal(0))
        if total != claim.total_charge:
            difference = claim.total_charge - total
            yield self.finding(
                f"CLM02 is {claim.total_charge:.2f} but the {len(charges)} service line(s) "
                f"add up to {total:.2f} (difference {difference:.2f})",
                segment=claim.clm_segment,
                element="CLM02",
                loop="2300",
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
    name = "bad-pointer"
    severity = Severity.ERROR
    summary = "SV107 is missing or points to a diagnosis that is not on the claim"
    reference = f"{TR3}, SV107"
    fix = "Point SV107 to the position (1-12) of a diagnosis in HI."

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Finding]:
        positions = {d.position for d in claim.diagnoses}
        for line in claim.lines:
            raw = [p for p in line.pointers_raw if p != ""]
            if not raw:
                yield self.finding(
                    f"line {line.number} has no diagnosis pointer",
                    segment=line.segment,
                    element="SV107",
                    loop="2400",
                )
                continue
            for component, value in enumerate(line.pointers_raw, start=1):
                element = f"SV107-{component}"
                if component > 4:
                    yield self.finding(
                        f"line {line.number} has more than four diagnosis pointers",
                        segment=line.segment,
                        element=element,
                        loop="2400",
                    )
                    break
                if not is_digits(value):
                    yield self.finding(
                        f"line {line.number} pointer {value!r} is not a diagnosis position",
                        segment=line.segment,
                        element=element,
                        loop="2400",
                    )
                elif int(value) not in positions:
                    yield self.finding(
                        f"line {line.number} points to diagnosis {int(value)}, but the claim has "
                        f"{len(positions)} diagnosis code(s)",
                        segment=line.segment,
                        element=element,
                        loop="2400",
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
    name = "unreferenced-diagnosis"
    severity = Severity.INFO
    summary = "a diagnosis on the claim is not pointed to by any service line"
    reference = f"{TR3}, HI and SV107"
    fix = "Point the service line that the diagnosis supports to it."

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Finding]:
        if not claim.lines:
            return
        used = {p for line in claim.lines for p in line.pointers}
        for diagnosis in claim.diagnoses:
            if diagnosis.position not in used:
                yield self.finding(
                    f"{diagnosis.code} (diagnosis {diagnosis.position}) is not pointed to by any service line",
                    segment=diagnosis.segment,
                    element=diagnosis.element_ref,
                    loop="2300",
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
    name = "future-service-date"
    severity = Severity.ERROR
    summary = "a date of service is after the as-of date"
    reference = f"{TR3}, DTP*472"
    fix = "Correct the date of service or hold the claim until the service is rendered."

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Finding]:
        for line in claim.lines:
            late = [d for d in _dates(line) if d > ctx.as_of]
            if late:
                yield self.finding(
                    f"line {line.number} date of service {max(late).isoformat()} is after {ctx.as_of.isoformat()}",
                    segment=line.date_segment or line.segment,
                    element="DTP03" if line.date_segment else "",
                    loop="2400",
                )
        if not any(_dates(line) for line in claim.lines):
            yield from self._claim_level(claim, ctx)

    def _claim_level(self, claim: Claim, ctx: RuleContext) -> Iterator[Finding]:
        start, end, segment = claim.dates.get("472", (None, None, None))
        late = [d for d in (start, end) if d is not None and d > ctx.as_of]
        if late and segment is not None:
            yield self.finding(
                f"claim date of service {max(late).isoformat()} is after {ctx.as_of.isoformat()}",
                segment=segment,
                element="DTP03",
                loop="2300",
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
    name = "service-before-birth"
    severity = Severity.ERROR
    summary = "a date of service is before the patient's date of birth"
    reference = f"{TR3}, DMG02 and DTP*472"
    fix = "Correct the date of service or the patient's date of birth."

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Finding]:
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
                    loop="2400",
                )


class InvalidNpi(Rule):
    """
    What it checks:
        The NPIs of the billing provider (2010AA), the claim's rendering provider (2310B) and
        each line's rendering provider (2420A): ten digits, starting with 1 or 2, with a valid
        check digit (Luhn formula over the NPI prefixed with 80840).

    Why payers reject it:
        An NPI that fails its check digit cannot exist; the payer rejects the claim before
        looking the provider up (277CA A7, 562 "Entity's National Provider Identifier").

    Example:
        ``NM1*85*2*CLINIC*****XX*1234567890~`` (the check digit should be 3).

    Fix:
        Copy the NPI from NPPES or the provider's enrolment record; a single mistyped digit
        fails the check.

    Configuration:
        Severity may be changed.

    References:
        45 CFR 162.406; CMS "NPI: check digit" (ISO/IEC 7812 Luhn formula, prefix 80840);
        TR3 NM109 in loops 2010AA, 2310B, 2420A.
    """

    code = "CLM006"
    name = "invalid-npi"
    severity = Severity.ERROR
    summary = "an NPI fails the Luhn check digit (with the 80840 prefix)"
    reference = NPI_STANDARD
    fix = "Correct the NPI from NPPES; the check digit does not match."

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Finding]:
        providers: list[tuple[str, Provider | None, str]] = [
            ("billing provider", claim.billing_provider, "2010AA"),
            ("rendering provider", claim.rendering_provider, "2310B"),
        ]
        for role, provider, loop in providers:
            if provider is not None and provider.id_qualifier == "XX":
                yield from self._check(provider.identifier, role, provider.segment, loop)
        for line in claim.lines:
            if line.rendering_npi and line.rendering_segment is not None:
                yield from self._check(
                    line.rendering_npi, f"line {line.number} rendering provider", line.rendering_segment, "2420A"
                )

    def _check(self, npi: str, role: str, segment: Segment, loop: str) -> Iterator[Finding]:
        if not npi_is_valid(npi):
            yield self.finding(
                f"{role} NPI {npi!r} is not a valid NPI",
                segment=segment,
                element="NM109",
                loop=loop,
                codes=[npi],
            )


class InvalidUnitsOrCharge(Rule):
    """
    What it checks:
        CLM02 and each SV102 are amounts with at most two decimals and not negative; line
        charges are above zero (Category II codes ending in F may be zero); SV104 units are a
        number above zero and SV103 is UN (units) or MJ (minutes).

    Why payers reject it:
        The payer cannot price a line without a charge or with zero units; malformed amounts
        fail the front-end edits (277CA category A7).

    Example:
        ``SV1*HC:99213*-40*UN*0***1~``.

    Fix:
        Enter the billed charge and the units rendered; use UN unless the code is billed in
        minutes.

    Configuration:
        ``[rules.options.CLM007] allow_zero_charge = true`` accepts zero line charges.

    References:
        ASC X12N 005010X222A1 TR3, CLM02, SV102, SV103, SV104.
    """

    code = "CLM007"
    name = "invalid-units-or-charge"
    severity = Severity.ERROR
    summary = "a charge or unit count is missing, malformed, negative or zero"
    reference = f"{TR3}, CLM02, SV102-SV104"
    fix = "Enter a positive charge (two decimals at most) and the units rendered."

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Finding]:
        allow_zero = bool(ctx.options.get(self.code, {}).get("allow_zero_charge", False))
        problem = _amount_problem(claim.total_charge_raw, claim.total_charge)
        if problem:
            yield self.finding(f"CLM02 {problem}", segment=claim.clm_segment, element="CLM02", loop="2300")
        for line in claim.lines:
            problem = _amount_problem(line.charge_raw, line.charge)
            zero_ok = allow_zero or line.procedure.endswith("F")
            if not problem and line.charge == 0 and not zero_ok:
                problem = "is zero"
            if problem:
                yield self.finding(
                    f"line {line.number} charge (SV102) {problem}", segment=line.segment, element="SV102", loop="2400"
                )
            if line.units is None or line.units <= 0:
                shown = line.units_raw or "missing"
                yield self.finding(
                    f"line {line.number} units (SV104) {shown!r} must be a number above zero",
                    segment=line.segment,
                    element="SV104",
                    loop="2400",
                )
            if line.unit_basis not in ("UN", "MJ"):
                yield self.finding(
                    f"line {line.number} unit basis (SV103) {line.unit_basis!r} must be UN or MJ",
                    segment=line.segment,
                    element="SV103",
                    loop="2400",
                )


def _amount_problem(raw: str, value: Decimal | None) -> str:
    """Why an X12 amount is unusable, or '' when it is fine.

    Never quantizes: a Decimal built elsewhere may have more digits than the context holds, and
    quantize would raise where a message is wanted.
    """
    if value is None:
        problem = decimal_problem(raw)
        return f"{_shown(raw)} {problem}" if raw and problem else problem or f"{_shown(raw)} is not an amount"
    if value < 0:
        return f"{raw} is negative"
    if value.normalize().as_tuple().exponent < -2:  # type: ignore[operator]
        return f"{raw} has more than two decimals"
    return ""


def _shown(raw: str) -> str:
    """An amount as written, cut short when it is absurdly long (a report line stays readable)."""
    return repr(raw) if len(raw) <= 24 else f"{raw[:20]!r}... ({len(raw)} characters)"


class DuplicateServiceLine(Rule):
    """
    What it checks:
        Two service lines that are exact repeats: the same procedure, modifiers, dates of
        service, rendering provider, units and charge. Lines that differ in charge or units
        are left alone, because unlisted codes (J3490 and the like) legitimately repeat with
        different drugs (NDCs in loop 2410).

    Why payers reject it:
        The second line is denied as a duplicate (CARC 18) unless a repeat-procedure modifier
        (76, 77, 91) or a distinct-service modifier says why it was done twice.

    Example:
        Two lines ``SV1*HC:71250*250*UN*1***1~`` on 2026-10-14.

    Fix:
        Remove the duplicate, combine the units on one line, or add the modifier that
        explains the repeat (76, 77, 91, 59/X{EPSU}) when the record supports it.

    Configuration:
        Warning by default.

    References:
        CARC 18 (exact duplicate claim/service); CPT modifiers 76, 77, 91.
    """

    code = "CLM008"
    name = "duplicate-service-line"
    severity = Severity.WARNING
    summary = "two service lines repeat the same procedure, modifiers, date, units and charge"
    reference = "CARC 18 (exact duplicate claim/service)"
    fix = "Remove the duplicate or add the modifier that explains the repeat."

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Finding]:
        first_seen: dict[tuple[object, ...], ServiceLine] = {}
        for line in claim.lines:
            key = (
                line.procedure,
                tuple(sorted(m for m in line.modifiers if m)),
                line.service_date,
                line.service_date_end,
                line.rendering_npi,
                line.units,
                line.charge,
            )
            earlier = first_seen.setdefault(key, line)
            if earlier is not line:
                yield self.finding(
                    f"line {line.number} repeats line {earlier.number} exactly "
                    f"({line.procedure}, same date, units and charge)",
                    segment=line.segment,
                    element="SV101-2",
                    loop="2400",
                    codes=[line.procedure],
                )


_PROCEDURE_SHAPE = re.compile(r"^(?:\d{5}|\d{4}[FTU]|[A-Z]\d{4})$")
_MODIFIER_SHAPE = re.compile(r"^[A-Z0-9]{2}$")


class InvalidProcedureFormat(Rule):
    """
    What it checks:
        For HC-qualified lines, that SV101-2 has a CPT or HCPCS shape: five digits (CPT
        Category I), four digits and F, T or U (Category II, III, PLA), or a letter and four
        digits (HCPCS Level II). Each modifier (SV101-3 to -6) must be two letters or digits.

    Why payers reject it:
        A code of the wrong shape cannot be on any fee schedule; the payer rejects the line
        (277CA A7, 454 "Procedure code for services rendered").

    Example:
        ``SV1*HC:7125*250*UN*1***1~`` or ``SV1*HC:71250:5*250*UN*1***1~``.

    Fix:
        Correct the code or modifier; check for a dropped or extra character and for
        descriptions pasted into the code field.

    Configuration:
        Severity may be changed.

    References:
        ASC X12N 005010X222A1 TR3, SV101; AMA CPT and CMS HCPCS Level II code structures.
    """

    code = "CLM009"
    name = "invalid-procedure-code"
    severity = Severity.ERROR
    summary = "procedure code or modifier does not have a CPT/HCPCS shape"
    reference = f"{TR3}, SV101"
    fix = "Correct the procedure code or modifier."

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Finding]:
        for line in claim.lines:
            if line.qualifier in ("HC", "") and not _PROCEDURE_SHAPE.match(line.procedure):
                yield self.finding(
                    f"line {line.number} procedure {line.procedure!r} is not a CPT or HCPCS code",
                    segment=line.segment,
                    element="SV101-2",
                    loop="2400",
                    codes=[line.procedure],
                )
            for index, modifier in enumerate(line.modifiers, start=3):
                if modifier and not _MODIFIER_SHAPE.match(modifier):
                    yield self.finding(
                        f"line {line.number} modifier {modifier!r} is not two letters or digits",
                        segment=line.segment,
                        element=f"SV101-{index}",
                        loop="2400",
                        codes=[line.procedure],
                    )


RULES: list[Rule] = [
    ChargeTotalMismatch(),
    BadPointer(),
    UnreferencedDiagnosis(),
    FutureServiceDate(),
    ServiceBeforeBirth(),
    InvalidNpi(),
    InvalidUnitsOrCharge(),
    DuplicateServiceLine(),
    InvalidProcedureFormat(),
]
