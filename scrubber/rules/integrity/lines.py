"""CLM006-CLM009: providers and service lines: NPIs, units and charges, duplicates, code shapes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from functools import lru_cache

from scrubber.findings import ClaimStatus, Finding, Found, Severity
from scrubber.model import Claim, Provider, ServiceLine
from scrubber.rules.base import INVALID, Rule, RuleContext, RuleOptions
from scrubber.rules.integrity.references import NPI_STANDARD, TR3
from scrubber.transaction import grammar as g
from scrubber.x12.values import decimal_problem, is_digits


@lru_cache(maxsize=1 << 14)
def npi_is_valid(npi: str) -> bool:
    """Ten digits starting with 1 or 2, whose Luhn check over ``80840`` + NPI comes out to zero.

    Memoized: a file names the same few providers claim after claim."""
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


_RENDERING_LOOPS = frozenset({g.RENDERING_PROVIDER, g.LINE_RENDERING_PROVIDER})


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
    status = ClaimStatus(INVALID, "562", "85")  # 277CA: entity's NPI, 85 billing provider

    def status_for(self, finding: Finding | Found) -> ClaimStatus:
        """A rendering provider's NPI names entity 82."""
        location = finding.location
        if location is not None and location.loop in _RENDERING_LOOPS:
            return ClaimStatus(INVALID, "562", "82")
        return self.status

    name = "invalid-npi"
    severity = Severity.ERROR
    summary = "an NPI fails the Luhn check digit (with the 80840 prefix)"
    reference = NPI_STANDARD
    fix = "Correct the NPI from NPPES; the check digit does not match."

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Found]:
        providers: list[tuple[str, Provider | None]] = [
            ("billing provider", claim.billing_provider),
            ("rendering provider", claim.rendering_provider),
        ]
        providers += [(f"line {line.number} rendering provider", line.rendering) for line in claim.lines]
        for role, provider in providers:
            if provider is not None and provider.id_qualifier == g.NPI_QUALIFIER and not npi_is_valid(provider.npi):
                yield self.finding(
                    f"{role} NPI {provider.npi!r} is not a valid NPI",
                    segment=provider.segment,
                    element="NM109",
                    loop=provider.loop,
                    codes=[provider.npi],
                )


class UnitsOrChargeOptions(RuleOptions):
    """``[rules.options.CLM007]``."""

    allow_zero_charge: bool = False  # accept line charges of zero


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
    status = ClaimStatus(INVALID, "476")  # 277CA: units of service
    options = UnitsOrChargeOptions

    def status_for(self, finding: Finding | Found) -> ClaimStatus:
        """A line charge (SV102) has a status code of its own: submitted charges."""
        location = finding.location
        if location is not None and location.element.startswith("SV102"):
            return ClaimStatus(INVALID, "178")
        return self.status

    name = "invalid-units-or-charge"
    severity = Severity.ERROR
    summary = "a charge or unit count is missing, malformed, negative or zero"
    reference = f"{TR3}, CLM02, SV102-SV104"
    fix = "Enter a positive charge (two decimals at most) and the units rendered."

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Found]:
        allow_zero = ctx.options_for(self).allow_zero_charge
        problem = _amount_problem(claim.total_charge_raw, claim.total_charge)
        if problem:
            yield self.finding(f"CLM02 {problem}", segment=claim.clm_segment, element="CLM02", loop=g.CLAIM)
        for line in claim.lines:
            problem = _amount_problem(line.charge_raw, line.charge)
            zero_ok = allow_zero or line.procedure.endswith("F")
            if not problem and line.charge == 0 and not zero_ok:
                problem = "is zero"
            if problem:
                yield self.finding(
                    f"line {line.number} charge (SV102) {problem}",
                    segment=line.segment,
                    element="SV102",
                    loop=g.SERVICE_LINE,
                )
            if line.units is None or line.units <= 0:
                shown = line.units_raw or "missing"
                yield self.finding(
                    f"line {line.number} units (SV104) {shown!r} must be a number above zero",
                    segment=line.segment,
                    element="SV104",
                    loop=g.SERVICE_LINE,
                )
            if line.unit_basis not in g.UNIT_BASES:
                yield self.finding(
                    f"line {line.number} unit basis (SV103) {line.unit_basis!r} must be UN or MJ",
                    segment=line.segment,
                    element="SV103",
                    loop=g.SERVICE_LINE,
                )


def _amount_problem(raw: str, value: Decimal | None) -> str:
    """Why an X12 amount is unusable, or '' when it is fine.

    The common case, a non-negative amount written with at most two decimals, is answered at
    once: charges are too varied to memoize (a bounded memo missed more often than it hit).
    """
    if value is not None and value >= 0 and value.as_tuple().exponent >= -2:
        return ""
    return _amount_words(raw, value)


@lru_cache(maxsize=1 << 12)
def _amount_words(raw: str, value: Decimal | None) -> str:
    """:func:`_amount_problem` for the rest (memoized: the same bad amounts recur).

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
    status = ClaimStatus(INVALID, "54")  # 277CA: duplicate of a claim/line
    name = "duplicate-service-line"
    severity = Severity.WARNING
    summary = "two service lines repeat the same procedure, modifiers, date, units and charge"
    reference = "CARC 18 (exact duplicate claim/service)"
    fix = "Remove the duplicate or add the modifier that explains the repeat."

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Found]:
        if len(claim.lines) < 2:
            return
        first_seen: dict[tuple[object, ...], ServiceLine] = {}
        for line in claim.lines:
            key = (
                line.procedure,
                tuple(sorted(m for m in line.modifiers if m)),
                line.service_date,
                line.service_date_end,
                line.rendering.npi if line.rendering is not None else "",
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
                    loop=g.SERVICE_LINE,
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
    status = ClaimStatus(INVALID, "454")  # 277CA: procedure code for services rendered
    name = "invalid-procedure-code"
    severity = Severity.ERROR
    summary = "procedure code or modifier does not have a CPT/HCPCS shape"
    reference = f"{TR3}, SV101"
    fix = "Correct the procedure code or modifier."

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Found]:
        for line in claim.lines:
            if line.qualifier in (g.PROCEDURE_QUALIFIER, "") and not _PROCEDURE_SHAPE.match(line.procedure):
                yield self.finding(
                    f"line {line.number} procedure {line.procedure!r} is not a CPT or HCPCS code",
                    segment=line.segment,
                    element="SV101-2",
                    loop=g.SERVICE_LINE,
                    codes=[line.procedure],
                )
            for index, modifier in enumerate(line.modifiers, start=3):
                if modifier and not _MODIFIER_SHAPE.match(modifier):
                    yield self.finding(
                        f"line {line.number} modifier {modifier!r} is not two letters or digits",
                        segment=line.segment,
                        element=f"SV101-{index}",
                        loop=g.SERVICE_LINE,
                        codes=[line.procedure],
                    )
