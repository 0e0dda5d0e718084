"""NCCI: procedure-to-procedure pairs and medically unlikely units, from user-imported tables.

The tables come from CMS files the user imports (``scrubber ncci import``); without them these
rules find nothing. Lines are compared per date of service, as the payer's edits are.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from itertools import combinations

from pydantic import field_validator

from scrubber.findings import ClaimStatus, Found, Severity
from scrubber.model import Claim, ServiceLine
from scrubber.refdata.ncci.records import MODIFIER_ALLOWED, MODIFIER_NOT_ALLOWED, PtpEdit
from scrubber.rules.base import INVALID, Rule, RuleContext, RuleOptions
from scrubber.transaction import grammar as g

# NCCI PTP-associated modifiers that can show the services were distinct: 59 and its X{EPSU}
# subsets, and the anatomic modifiers (NCCI Policy Manual for Medicare Services, ch. I).
ANATOMIC_MODIFIERS = (
    "E1",
    "E2",
    "E3",
    "E4",
    "FA",
    "F1",
    "F2",
    "F3",
    "F4",
    "F5",
    "F6",
    "F7",
    "F8",
    "F9",
    "TA",
    "T1",
    "T2",
    "T3",
    "T4",
    "T5",
    "T6",
    "T7",
    "T8",
    "T9",
    "LT",
    "RT",
    "LC",
    "LD",
    "LM",
    "RC",
    "RI",
)
DEFAULT_BYPASS_MODIFIERS = frozenset(("59", "XE", "XS", "XP", "XU", *ANATOMIC_MODIFIERS))
NCCI_MANUAL = "CMS NCCI Policy Manual for Medicare Services, ch. I"


def _date(claim: Claim, line: ServiceLine, ctx: RuleContext) -> dt.date:
    return line.service_date or claim.service_date or ctx.as_of


def _table_reference(ctx: RuleContext, kind: str) -> str:
    describe = getattr(ctx.ncci, "describe", None)
    source = f" ({describe()})" if callable(describe) else ""
    return f"CMS NCCI {kind}, user-imported{source}; {NCCI_MANUAL}"


class PtpOptions(RuleOptions):
    """``[rules.options.NCCI001]``."""

    bypass_modifiers: frozenset[str] = DEFAULT_BYPASS_MODIFIERS  # modifiers that can bypass an indicator-1 edit

    @field_validator("bypass_modifiers", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return frozenset(str(v).strip().upper() for v in value) if isinstance(value, list | tuple | set) else value


class PtpConflict(Rule):
    """
    What it checks:
        Every pair of service lines on the same date of service against the imported NCCI
        procedure-to-procedure (PTP) edits: a column-1/column-2 pair in effect on that date
        (on or after its effective date, before its deletion date). Modifier indicator 0: the
        pair is never paid together. Indicator 1: an NCCI-associated modifier (59, XE, XS, XP,
        XU or an anatomic modifier) on either line lets both through. Indicator 9: the edit
        does not apply.

    Why payers reject it:
        Medicare and most payers that follow NCCI pay the column-1 code and deny the column-2
        code (CARC 97/236) when both are billed by one provider for one patient on one day.

    Example:
        Two lines on 2026-10-14 whose codes form a PTP pair with indicator 1, neither carrying
        a modifier; adding 59 to the column-2 line (when the record shows a distinct service)
        clears the edit.

    Fix:
        Remove the column-2 code when it was part of the column-1 service. If the services
        were truly distinct (separate site, session or encounter) and the indicator is 1, add
        the modifier the record supports (XS, XE, XP, XU, 59, or an anatomic modifier).

    Configuration:
        Needs imported tables (``scrubber ncci import --ptp FILE``); ``[ncci] database`` points
        at them. ``[rules.options.NCCI001] bypass_modifiers = [...]`` replaces the modifier list.

    References:
        CMS NCCI PTP edits (practitioner); NCCI Policy Manual for Medicare Services, ch. I
        (modifiers and modifier indicators).
    """

    code = "NCCI001"
    status = ClaimStatus(INVALID, "454")  # 277CA: procedure code for services rendered
    options = PtpOptions
    name = "ptp-conflict"
    severity = Severity.ERROR
    summary = "two codes on one date of service form an NCCI PTP pair"
    reference = "CMS NCCI procedure-to-procedure edits (practitioner), user-imported"
    fix = "Drop the column-2 code, or add a distinct-service modifier when the record supports it."

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Found]:
        tables = ctx.ncci
        if tables is None or len(claim.lines) < 2:
            return
        bypass = ctx.options_for(self).bypass_modifiers
        reported: set[tuple[str, str, dt.date]] = set()
        for first, second in combinations(claim.lines, 2):
            day = _date(claim, first, ctx)
            if day != _date(claim, second, ctx) or first.procedure == second.procedure:
                continue
            for col1_line, col2_line in ((first, second), (second, first)):
                key = (col1_line.procedure, col2_line.procedure, day)
                edit = _active(tables.ptp_edits(col1_line.procedure, col2_line.procedure), day)
                if edit is None or key in reported:
                    continue
                if edit.modifier == MODIFIER_ALLOWED and bypass & {*first.modifiers, *second.modifiers}:
                    continue
                if edit.modifier not in (MODIFIER_NOT_ALLOWED, MODIFIER_ALLOWED):
                    continue
                reported.add(key)
                yield self._finding(edit, col1_line, col2_line, day, ctx)

    def _finding(self, edit: PtpEdit, col1: ServiceLine, col2: ServiceLine, day: dt.date, ctx: RuleContext) -> Found:
        if edit.modifier == MODIFIER_NOT_ALLOWED:
            how = "modifier indicator 0: no modifier allows both to be paid"
            fix = f"Remove {edit.column2}; NCCI never pays it with {edit.column1} on the same day."
        else:
            how = "modifier indicator 1: a distinct-service or anatomic modifier may apply"
            fix = (
                f"Remove {edit.column2}, or, if the record shows a separate site, session or encounter, "
                "add XS, XE, XP, XU, 59 or the anatomic modifier that applies."
            )
        rationale = f" ({edit.rationale})" if edit.rationale else ""
        return self.finding(
            f"{edit.column2} (line {col2.number}) is bundled into {edit.column1} (line {col1.number}) on "
            f"{day.isoformat()}{rationale}; {how}",
            segment=col2.segment,
            element="SV101-2",
            loop=g.SERVICE_LINE,
            codes=[edit.column1, edit.column2],
            reference=_table_reference(ctx, "PTP edits"),
            fix=fix,
        )


def _active(edits: tuple[PtpEdit, ...], day: dt.date) -> PtpEdit | None:
    for edit in edits:
        if edit.active_on(day):
            return edit
    return None


class MueExceeded(Rule):
    """
    What it checks:
        Units (SV104) of each code against the imported practitioner MUE table: on each line,
        and, for date-of-service MUEs (adjudication indicator 2 or 3), summed over all lines
        of the code on the same date of service.

    Why payers reject it:
        An MUE is the most units one provider reports for one patient on one day under most
        circumstances; units above it are denied (CARC 151), for a line edit the whole line.

    Example:
        A code with an MUE of 1 (indicator 2) billed on two lines of one unit each on the same
        date.

    Fix:
        Check the units against the record. Indicator 1 (line edit): bill medically necessary
        extra units on separate lines with the modifier that applies (76, 77, 91, RT/LT ...).
        Indicator 2 is absolute; indicator 3 may be appealed with documentation.

    Configuration:
        Needs imported tables (``scrubber ncci import --mue FILE``); ``[ncci] database`` points
        at them.

    References:
        CMS NCCI Medically Unlikely Edits (practitioner services) and the CMS MUE FAQs
        (MUE adjudication indicators).
    """

    code = "NCCI002"
    status = ClaimStatus(INVALID, "476")  # 277CA: units of service
    name = "mue-exceeded"
    severity = Severity.ERROR
    summary = "units of a code exceed its MUE, per line or per date of service"
    reference = "CMS NCCI Medically Unlikely Edits (practitioner services), user-imported"
    fix = "Correct the units, or split and modify lines where the MUE is a line edit."

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Found]:
        tables = ctx.ncci
        if tables is None:
            return
        per_day: dict[tuple[str, dt.date], list[ServiceLine]] = defaultdict(list)
        for line in claim.lines:
            mue = tables.mue(line.procedure) if line.procedure else None
            if mue is None or line.units is None:
                continue
            if line.units > mue.value:
                yield self._finding(line, line.units, mue.value, mue.mai, f"line {line.number} has", ctx)
            elif mue.per_date_of_service:
                per_day[(line.procedure, _date(claim, line, ctx))].append(line)
        for (procedure, day), lines in per_day.items():
            total = sum((line.units for line in lines if line.units is not None), Decimal(0))
            mue = tables.mue(procedure)
            if len(lines) > 1 and mue is not None and total > mue.value:
                numbers = ", ".join(str(line.number) for line in lines)
                yield self._finding(
                    lines[-1], total, mue.value, mue.mai, f"lines {numbers} on {day.isoformat()} have", ctx
                )

    def _finding(
        self, line: ServiceLine, units: Decimal, limit: int, mai: int, where: str, ctx: RuleContext
    ) -> Found:
        kinds = {1: "line edit", 2: "date-of-service edit, policy", 3: "date-of-service edit, clinical"}
        return self.finding(
            f"{where} {units.normalize():f} units of {line.procedure}, above its MUE of {limit} "
            f"(adjudication indicator {mai}: {kinds.get(mai, 'unknown')})",
            segment=line.segment,
            element="SV104",
            loop=g.SERVICE_LINE,
            codes=[line.procedure],
            reference=_table_reference(ctx, "MUE table"),
        )


RULES: list[Rule] = [PtpConflict(), MueExceeded()]
