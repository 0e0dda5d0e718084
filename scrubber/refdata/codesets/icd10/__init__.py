"""ICD-10-CM by fiscal year: bundled CDC tabular builds, user imports, lookups for the rules.

The pipeline loads :class:`CodeSets` once (``CodeSets.load()``), puts it in
``RuleContext.icd10`` and asks ``label_for(claim.service_date)`` for each claim's ``code_set``.
"""

from scrubber.refdata.codesets.icd10.codes import dotted, fiscal_year, normalize
from scrubber.refdata.codesets.icd10.codeset import CodeSet, Exclusion
from scrubber.refdata.codesets.icd10.flags import CodeFlag
from scrubber.refdata.codesets.icd10.provider import CodeSetError, CodeSets, user_data_dir

__all__ = [
    "CodeFlag",
    "CodeSet",
    "CodeSetError",
    "CodeSets",
    "Exclusion",
    "dotted",
    "fiscal_year",
    "normalize",
    "user_data_dir",
]
