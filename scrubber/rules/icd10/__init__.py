"""ICD: ICD-10-CM edits on the HI diagnoses of a claim, judged by the code set of its date of service."""

from __future__ import annotations

from scrubber.rules.base import Rule
from scrubber.rules.icd10.notes import Excludes1Conflict, SymptomWithDefinitive, UnspecifiedCode
from scrubber.rules.icd10.patient import AgeConflict, SexConflict
from scrubber.rules.icd10.sequence import ExternalCauseFirst, ManifestationFirst
from scrubber.rules.icd10.validity import DuplicateDiagnosis, HeaderCode, Icd9Qualifier, InvalidCode

RULES: list[Rule] = [
    InvalidCode(),
    HeaderCode(),
    Icd9Qualifier(),
    Excludes1Conflict(),
    ManifestationFirst(),
    ExternalCauseFirst(),
    AgeConflict(),
    SexConflict(),
    UnspecifiedCode(),
    SymptomWithDefinitive(),
    DuplicateDiagnosis(),
]
