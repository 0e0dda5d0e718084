"""ICD004, ICD009, ICD010: what the tabular's notes say about codes together or alone."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from itertools import combinations

from scrubber.findings import Found, Severity
from scrubber.model import Claim, Diagnosis
from scrubber.refdata.codesets.icd10 import CodeSet, normalize
from scrubber.refdata.codesets.icd10.ranges import CodeRange
from scrubber.rules.base import RuleContext
from scrubber.rules.icd10.support import (
    GUIDELINES,
    UNSPECIFIED,
    Icd10Rule,
    at,
    show,
    tabular_reference,
)


class Excludes1Conflict(Icd10Rule):
    """
    What it checks:
        Every pair of ICD-10-CM codes on the claim against the Excludes1 notes of both codes,
        read in both directions and inherited from the subcategory, category, block and chapter
        above each code. Notes name codes (R54), categories (M62.8-, M33.-), ranges (O00-O9A)
        and qualified ranges (E08-E13 with .42); notes that name no code are not applied.

    Why payers reject it:
        An Excludes1 note means "not coded here": the two conditions cannot be reported
        together, and many payers' editors reject the pair.

    Example:
        R53.1 (Weakness) with M62.81 (Muscle weakness, generalized): R53.1 Excludes1 lists
        M62.81. M62.81 with M62.84 (Sarcopenia) likewise. M62.81 with R53.83 (Other fatigue)
        is fine.

    Fix:
        Keep the code the documentation supports and remove the other. When the two conditions
        are documented as unrelated, the Excludes1 exception applies (guideline I.A.12.a): keep
        both and lower this rule's severity for that payer.

    Configuration:
        Severity may be changed per payer (the Excludes1 exception for unrelated conditions is a
        coder's judgement that the scrubber cannot see).

    References:
        ICD-10-CM Official Guidelines for Coding and Reporting, section I.A.12.a (Excludes1);
        the Excludes1 notes of the tabular of the date of service.
    """

    code = "ICD004"
    name = "excludes1-conflict"
    severity = Severity.ERROR
    summary = "two codes that an Excludes1 note forbids together"
    reference = f"{GUIDELINES}, I.A.12.a Excludes1"
    fix = "Remove one of the two codes, unless the conditions are documented as unrelated."

    known_only = True

    def check_codes(self, claim: Claim, codes: CodeSet, known: list[Diagnosis], ctx: RuleContext) -> Iterator[Found]:
        for first, second in combinations(known, 2):
            words = _excludes1_words(codes, first.code, second.code)
            if words is not None:
                message, shown, reference, fix = words
                yield self.finding(message, **at(second), codes=list(shown), reference=reference, fix=fix)


@lru_cache(maxsize=1 << 16)
def _excludes1_words(codes: CodeSet, first: str, second: str) -> tuple[str, tuple[str, str], str, str] | None:
    """(message, codes, reference, fix) of an Excludes1 finding for two claim codes, or None.

    Memoized: the verdict and its words depend on the code set and the pair alone, and a file
    repeats the same pairs claim after claim; only the location is the claim's own.
    """
    if normalize(first) == normalize(second):
        return None
    hit = codes.excluded_together(first, second)
    if hit is None:
        return None
    a, b = show(first), show(second)
    note = codes.note_text(hit)
    return (
        f"{a} and {b} are excluded together: {hit.owner_label} Excludes1 lists {hit.range}"
        + (f' ("{note}")' if note else ""),
        (a, b),
        tabular_reference(codes, f"{hit.owner_label} Excludes1"),
        f"Keep {a} or {b}, not both, unless the documentation shows unrelated conditions.",
    )


class UnspecifiedCode(Icd10Rule):
    """
    What it checks:
        Codes whose title says "unspecified" (or that the CMS MCE lists as unspecified) when
        the same parent has billable codes that are not unspecified.

    Why payers reject it:
        Many payers deny or pend unspecified codes (laterality, type, site) when a specific code
        exists and the documentation supports it. It is information, not an error.

    Example:
        M25.569 (Pain in unspecified knee) when M25.561 (right knee) and M25.562 (left knee)
        exist.

    Fix:
        If the record documents the detail (side, type, site), use the specific code.

    Configuration:
        Severity may be changed or the rule disabled. Seventh-character codes are compared with
        siblings of the same stem only, so an unspecified stem is not reported through them.

    References:
        ICD-10-CM Official Guidelines for Coding and Reporting, section I.B.18 (use of
        "unspecified" codes) and I.B.13 (laterality).
    """

    code = "ICD009"
    name = "unspecified-code"
    severity = Severity.INFO
    summary = "an unspecified code where a specific one exists"
    reference = f"{GUIDELINES}, I.B.18 use of unspecified codes"
    fix = "Use the specific code if the documentation supports it."

    def check_codes(
        self, claim: Claim, codes: CodeSet, diagnoses: list[Diagnosis], ctx: RuleContext
    ) -> Iterator[Found]:
        for dx in diagnoses:
            words = _unspecified_words(codes, dx.code)
            if words is not None:
                message, shown, fix = words
                yield self.finding(message, **at(dx), codes=[shown], fix=fix)


@lru_cache(maxsize=1 << 14)
def _unspecified_words(codes: CodeSet, code: str) -> tuple[str, str, str] | None:
    """(message, code shown, fix) of an unspecified-code finding, or None; memoized per code set and code."""
    found = _unspecified(codes, code)
    if found is None:
        return None
    text, siblings = found
    shown = show(code)
    options = ", ".join(show(c) for c in siblings[:4])
    return (
        f"{shown} ({text}) is unspecified; more specific codes exist: {options}",
        shown,
        f"If documented, use a specific code such as {options}.",
    )


@lru_cache(maxsize=1 << 14)
def _unspecified(codes: CodeSet, code: str) -> tuple[str, tuple[str, ...]] | None:
    """(title, specific siblings) when ``code`` is a billable unspecified code with specific
    siblings, else None.

    Memoized per code set and code: the answer depends on the code set alone, it scans every
    sibling's title, and the same codes recur claim after claim.
    """
    if not codes.is_billable(code):
        return None
    text = codes.describe(code)
    if "unspecified" not in text.lower() and not codes.bits(code) & UNSPECIFIED:
        return None
    code = normalize(code)
    parent = codes.parent(code)
    siblings = tuple(
        sorted(
            c
            for c in (codes.children(parent) if parent else [])
            if c != code and codes.is_billable(c) and "unspecified" not in codes.describe(c).lower()
        )
    )
    return (text, siblings) if siblings else None


class SymptomWithDefinitive(Icd10Rule):
    """
    What it checks:
        A symptom or sign code (R00-R99) on the same claim as a definitive diagnosis that the
        tabular relates to it. "Related" is read from the tabular itself, conservatively: the
        symptom's own Excludes2 notes (on the symptom code, its subcategory or its category, not
        the block or chapter notes) name the definitive code. Such a note says the symptom is
        classified with that condition; when both are coded the symptom is often integral to
        it. Excludes1 pairs are ICD004 errors and are not repeated here.

    Why payers reject it:
        Signs and symptoms routinely associated with a disease are not coded in addition to it
        (guideline I.B.5); payers' editors and auditors flag the symptom as redundant.

    Example:
        R51.9 (Headache, unspecified) with G43.909 (Migraine, unspecified): R51's notes name
        migraine (G43-G44).

    Fix:
        Drop the symptom code when it is part of the definitive diagnosis; keep it when the
        documentation shows it is not routinely associated (guideline I.B.6).

    Configuration:
        Severity may be changed (warning by default); disable for payers that want every
        symptom coded.

    References:
        ICD-10-CM Official Guidelines for Coding and Reporting, sections I.B.5 and I.B.6, and
        chapter 18 guideline I.C.18.b; Excludes2 notes of chapter 18 codes in the tabular.
    """

    code = "ICD010"
    name = "symptom-with-definitive"
    severity = Severity.WARNING
    summary = "a symptom code beside a related definitive diagnosis"
    reference = f"{GUIDELINES}, I.B.5"
    fix = "Remove the symptom code if it is integral to the definitive diagnosis."

    known_only = True

    def check_codes(self, claim: Claim, codes: CodeSet, known: list[Diagnosis], ctx: RuleContext) -> Iterator[Found]:
        for symptom in known:
            if not _own_excludes2(codes, normalize(symptom.code)):
                continue
            for other in known:
                words = _symptom_words(codes, symptom.code, other.code)
                if words is not None:
                    message, shown, reference, fix = words
                    yield self.finding(message, **at(symptom), codes=list(shown), reference=reference, fix=fix)
                    break


@lru_cache(maxsize=1 << 16)
def _symptom_words(codes: CodeSet, symptom: str, other: str) -> tuple[str, tuple[str, str], str, str] | None:
    """(message, codes, reference, fix) when the symptom's own Excludes2 notes name the other code
    (and no Excludes1 note pairs them), else None. Memoized per code set and pair."""
    code, other_code = normalize(symptom), normalize(other)
    if "R00" <= other_code[:3] <= "R99" or codes.excluded_together(code, other_code):
        return None
    hit = next(((o, r) for o, r in _own_excludes2(codes, code) if r.matches(other_code)), None)
    if hit is None:
        return None
    owner, found = hit
    a, b = show(code), show(other_code)
    return (
        f"symptom {a} ({codes.describe(code)}) is coded beside {b} ({codes.describe(other_code)}); "
        f"{show(owner)} Excludes2 names {found} as a condition classified elsewhere",
        (a, b),
        tabular_reference(codes, f"{show(owner)} Excludes2; {GUIDELINES}, I.B.5"),
        f"Remove {a} if it is routinely part of {b}; keep it if documented as separate.",
    )


@lru_cache(maxsize=1 << 14)
def _own_excludes2(codes: CodeSet, code: str) -> tuple[tuple[str, CodeRange], ...]:
    """The Excludes2 notes of a symptom code (R00-R99) itself, its subcategory or category, not
    of its block or chapter; empty for other codes. Memoized per code set and code."""
    if not ("R00" <= code[:3] <= "R99"):
        return ()
    return tuple(
        (owner, found)
        for owner, found in codes.exclusion_ranges(code, "excludes2")
        if owner[:3] == code[:3] and "-" not in owner
    )
