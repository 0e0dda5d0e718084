"""PAIR: does each service line's pointed diagnosis support its procedure under the policy?

Only the diagnoses a line's SV107 pointers name count for that line: a payer adjudicates the
line against those, not against every code in the HI segment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from scrubber.findings import ClaimStatus, Finding, Severity
from scrubber.model import Claim, Diagnosis, ServiceLine
from scrubber.refdata.policies.models import Citation
from scrubber.rules.base import INVALID, Rule, RuleContext
from scrubber.transaction import grammar as g

PROCEDURE_CODE = ClaimStatus(INVALID, "454")  # 277CA: procedure code for services rendered
POLICY_DOCS = "Pairing policy packs (scrubber/refdata/policies/packs/default.toml and configured packs)"


def pointed_diagnoses(
    claim: Claim, line: ServiceLine, by_position: dict[int, Diagnosis] | None = None
) -> list[tuple[int, Diagnosis]]:
    """(SV107 component number, diagnosis) for every pointer that names a diagnosis on the claim.

    ``by_position`` (the claim's diagnoses by position) may be passed in by callers looping
    over the lines, so it is built once per claim rather than once per line.
    """
    if by_position is None:
        by_position = diagnoses_by_position(claim)
    found: list[tuple[int, Diagnosis]] = []
    for component, pointer in enumerate(line.pointers, start=1):
        diagnosis = by_position.get(pointer)
        if diagnosis is not None:
            found.append((component, diagnosis))
    return found


def diagnoses_by_position(claim: Claim) -> dict[int, Diagnosis]:
    return {d.position: d for d in claim.diagnoses}


def line_date(claim: Claim, line: ServiceLine, ctx: RuleContext) -> dt.date:
    """The date a line is judged on: its own DOS, else the claim's, else the run's as-of date."""
    return line.service_date or claim.service_date or ctx.as_of


class ProcedureNotSupported(Rule):
    """
    What it checks:
        For each service line whose procedure a pairing policy covers (on the line's date of
        service, for the claim's payer), that at least one diagnosis the line's SV107 pointers
        name is among the diagnoses the policy accepts. Diagnoses on the claim that the line
        does not point to do not count.

    Why payers reject it:
        Coverage policies (Medicare LCDs and NCDs, commercial medical policies) pay a service
        only for the indications they list; the payer checks the diagnoses linked to the line.
        A study pointed only at an unrelated or non-specific symptom is denied as not
        medically necessary (CARC 50 or 11).

    Example:
        ``HI*ABK:M6281~`` and ``SV1*HC:71250*250*UN*1***1~``: CT of the thorax pointed only to
        generalized muscle weakness, which is not a chest indication under LCD L33459.

    Fix:
        Report the indication that prompted the service (for the CT example: the cough, the
        nodule seen on a radiograph, the suspected thoracic disease) and point the line's SV107
        to it. Never add a diagnosis the record does not support; if no covered indication
        exists, the service may need an Advance Beneficiary Notice.

    Configuration:
        Policies come from the default pack plus the packs listed under ``[policies] packs``;
        a pack entry with the same id replaces a default entry. ``[policies] default_pack =
        false`` drops the shipped pack. Severity can be changed per payer.

    References:
        Each finding cites the policy entry it comes from (e.g. LCD L33459 and billing article
        A56580); Medicare Program Integrity Manual (Pub. 100-08), ch. 13, on LCDs.
    """

    code = "PAIR001"
    status = PROCEDURE_CODE
    name = "procedure-not-supported"
    severity = Severity.WARNING
    summary = "no diagnosis the line points to supports the procedure under the active policy"
    reference = POLICY_DOCS
    fix = "Point the line to the diagnosis that supports the service, as documented in the record."

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Finding]:
        policies = ctx.policies
        if policies is None:
            return
        by_position = diagnoses_by_position(claim)
        for line in claim.lines:
            pointed = [(n, d) for n, d in pointed_diagnoses(claim, line, by_position) if d.is_icd10]
            if not line.procedure or not pointed:
                continue  # nothing to pair: bad pointers are CLM002's, ICD-9 qualifiers ICD003's
            codes = [diagnosis.code for _, diagnosis in pointed]
            for policy in policies.support_for(line.procedure, line_date(claim, line, ctx), claim.payer_id):
                if any(policy.supports(code) for code in codes):
                    continue
                notes = [note for code in codes if (note := policy.note_for(code))]
                why = " ".join(notes) if notes else f"None of them is a covered indication. {policy.indications}"
                citation = policy.citation
                yield self.finding(
                    f"{line.procedure} on line {line.number} is not supported by the diagnoses it points "
                    f"to ({', '.join(codes)}) under {citation.source} {citation.id or citation.publisher}. "
                    f"{why} What would support it: {policy.documentation}",
                    segment=line.segment,
                    element="SV107-1",
                    loop=g.SERVICE_LINE,
                    codes=[line.procedure, *codes],
                    reference=_reference(citation),
                    fix=policy.documentation,
                )


class ProcedureDeniedPairing(Rule):
    """
    What it checks:
        For each service line, whether a diagnosis its SV107 pointers name is paired with the
        line's procedure in a policy's list of pairs that are never payable (on the line's date
        of service, for the claim's payer).

    Why payers reject it:
        Some coverage documents name diagnoses for which a service is never covered (for
        example, a screening-only diagnosis on a diagnostic test the benefit does not
        include). The payer denies the line outright.

    Example:
        A user pack entry ``[[denied]] procedures = ["80061"] diagnoses = ["Z00.00"]`` and a
        line ``SV1*HC:80061*40*UN*1***1~`` pointed to ``Z00.00``.

    Fix:
        Check the diagnosis coding against the record. If the pairing is right, the service is
        not covered under that policy: do not bill it to that payer, or obtain an Advance
        Beneficiary Notice where the rules allow one.

    Configuration:
        Pairs come from ``[[denied]]`` entries in the policy packs; severity can be changed
        per payer.

    References:
        Each finding cites the policy entry it comes from.
    """

    code = "PAIR002"
    status = PROCEDURE_CODE
    name = "procedure-denied-pairing"
    severity = Severity.ERROR
    summary = "the policy names this diagnosis and procedure as never payable together"
    reference = POLICY_DOCS
    fix = "Correct the diagnosis if it is wrong; otherwise the service is not covered for it."

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Finding]:
        policies = ctx.policies
        if policies is None:
            return
        for line in claim.lines:
            if not line.procedure:
                continue
            denials = policies.denials_for(line.procedure, line_date(claim, line, ctx), claim.payer_id)
            for component, diagnosis in pointed_diagnoses(claim, line) if denials else ():
                for denial in denials:
                    if not denial.denies(diagnosis.code):
                        continue
                    citation = denial.citation
                    yield self.finding(
                        f"{diagnosis.code} and {line.procedure} (line {line.number}) are never payable "
                        f"together under {citation.source} {citation.id or citation.publisher}: {denial.reason}",
                        segment=line.segment,
                        element=f"SV107-{component}",
                        loop=g.SERVICE_LINE,
                        codes=[line.procedure, diagnosis.code],
                        reference=_reference(citation),
                    )


def _reference(citation: Citation) -> str:
    """The citation line, with its address when the pack gives one."""
    text = citation.text()
    return f"{text} <{citation.url}>" if citation.url else text


RULES: list[Rule] = [ProcedureNotSupported(), ProcedureDeniedPairing()]
