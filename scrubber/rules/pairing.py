"""PAIR: does each service line's pointed diagnosis support its procedure under the policy?

Only the diagnoses a line's SV107 pointers name count for that line: a payer adjudicates the
line against those, not against every code in the HI segment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from scrubber.findings import ClaimStatus, Found, Severity
from scrubber.model import Claim, Diagnosis, ServiceLine
from scrubber.refdata.policies.models import Citation
from scrubber.rules.base import INVALID, Rule, RuleContext
from scrubber.rules.coverage import article_findings
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
        For each service line, whether a diagnosis its SV107 pointers name supports the line's
        procedure on the line's date of service (else the claim's), for the claim's payer.
        Diagnoses on the claim that the line does not point to do not count. Two sources:

        Policy packs (TOML): each pack entry covering the procedure must find one of the
        pointed diagnoses among those it accepts, else one finding per entry, with the
        entry's explanation of what would support the service.

        Imported CMS coverage articles (``scrubber policies import``): the current (status A)
        billing and coding articles that list the procedure in one of their HCPCS groups and
        are in effect on the date of service (per article, its newest version whose effective
        date is on or before the date and whose end or retirement date, the earlier, is not
        before it). A covered ICD-10 group applies to the procedure when its paragraph names
        the procedure (a code or a range such as 93880-93882 that the article lists);
        a group whose paragraph names no listed procedure applies to every procedure the
        article lists, and the finding says which way the groups were linked. The line is
        supported when a pointed diagnosis (dotted or not) is in a covered group that
        applies; with several articles in effect (different contractors publish their own),
        one that supports the line is enough. When none does, one finding per line names the
        articles, how their groups apply, and quotes the covered groups' paragraphs (plain
        text). Articles that list only non-covered codes for the procedure decide nothing
        about support.

        A pointed diagnosis on a non-covered list that applies gets its own finding at its
        SV107 component, saying the article lists it as not supporting medical necessity
        (a warning; info when another pointed diagnosis supports the line). A line whose
        only support is a code the article marks with an asterisk (a dual-diagnosis note,
        e.g. "secondary code required") gets an info finding quoting the note as the article
        states it: the note cannot be checked mechanically.

        Packs and articles combine as a union for the same procedure: a pack entry's finding
        is dropped when an article in force supports the line, and the articles' finding is
        dropped when a pack entry supports it. When both fail, both report (each cites its
        own source).

    Why payers reject it:
        Coverage policies (Medicare LCDs and NCDs, commercial medical policies) pay a service
        only for the indications they list; the payer checks the diagnoses linked to the line.
        A study pointed only at an unrelated or non-specific symptom is denied as not
        medically necessary (CARC 50 or 11). Medicare contractors apply the ICD-10 lists of
        their LCD billing and coding articles this way.

    Example:
        ``HI*ABK:M6281~`` and ``SV1*HC:71250*250*UN*1***1~``: CT of the thorax pointed only to
        generalized muscle weakness, which is not a chest indication under LCD L33459. With
        articles imported: "71250 on line 1 is not supported by the diagnoses it points to
        (M62.81): none is in a covered ICD-10-CM group of LCD Lxxxxx, billing and coding
        article Axxxxx, version N "Title" (Medicare)".

    Fix:
        Report the indication that prompted the service (for the CT example: the cough, the
        nodule seen on a radiograph, the suspected thoracic disease) and point the line's SV107
        to it. Never add a diagnosis the record does not support; if no covered indication
        exists, the service may need an Advance Beneficiary Notice.

    Configuration:
        Policies come from the default pack plus the packs listed under ``[policies] packs``;
        a pack entry with the same id replaces a default entry. ``[policies] default_pack =
        false`` drops the shipped pack. Imported articles are read from ``[policies]
        coverage_database`` (default: ``coverage.sqlite3`` beside the NCCI database, i.e.
        ``$XDG_DATA_HOME/scrubber/``) when it exists. ``[policies.coverage] payers = [...]``
        limits the articles (Medicare policy) to claims of those NM1*PR payer ids; by
        default they judge every payer's claims, and every finding cites them as Medicare
        articles. Severity can be changed per payer (``[payers."ID"] severity``), which
        applies to every PAIR001 finding, the info notes included.

    References:
        Each finding cites the policy entry it comes from (e.g. LCD L33459 and billing article
        A56580), or "LCD Lxxxxx, billing and coding article Axxxxx, version N" with the title
        for imported articles (CMS Medicare Coverage Database); Medicare Program Integrity
        Manual (Pub. 100-08), ch. 13, on LCDs.
    """

    code = "PAIR001"
    status = PROCEDURE_CODE
    name = "procedure-not-supported"
    severity = Severity.WARNING
    summary = "no diagnosis the line points to supports the procedure under the active policy"
    reference = POLICY_DOCS
    fix = "Point the line to the diagnosis that supports the service, as documented in the record."

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Found]:
        policies, coverage = ctx.policies, ctx.coverage
        if policies is None and coverage is None:
            return
        by_position = None  # made for the first line a policy names (most name none)
        for line in claim.lines:
            if not line.procedure:
                continue
            on = line_date(claim, line, ctx)
            in_force = policies.support_for(line.procedure, on, claim.payer_id) if policies is not None else ()
            if not in_force and coverage is None:
                continue  # no policy names the procedure: nothing to pair (the common case)
            by_position = by_position or diagnoses_by_position(claim)
            pointed = [(n, d) for n, d in pointed_diagnoses(claim, line, by_position) if d.is_icd10]
            if not pointed:
                continue  # nothing to pair: bad pointers are CLM002's, ICD-9 qualifiers ICD003's
            codes = [diagnosis.code for _, diagnosis in pointed]
            verdict = None
            if coverage is not None:
                verdict = coverage.judge(line.procedure, on, [(n, d.code) for n, d in pointed], claim.payer_id)
            pack_supported = False
            for policy in in_force:
                if any(policy.supports(code) for code in codes):
                    pack_supported = True
                    continue
                if verdict is not None and verdict.supported:
                    continue  # an imported article supports it: packs and articles combine as a union
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
            if verdict is not None:
                yield from article_findings(self, line, codes, verdict, pack_supported)


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
        per payer. Imported CMS articles' non-covered lists are not "never payable" pairs:
        PAIR001 reports them (a warning), as the article states them.

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

    def check(self, claim: Claim, ctx: RuleContext) -> Iterator[Found]:
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
