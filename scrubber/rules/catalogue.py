"""The catalogue: every rule family, in the order reports and `scrubber rules` list them.

Adding a rule: write its class in its family's module (code, name, severity, summary, reference,
fix, options, status, docstring with the doc headings, and ``check``), add it to the family's
``RULES`` list, and add ``tests/rules/cases/CODE.toml``. The registry refuses a code used twice.
"""

from __future__ import annotations

from functools import cache

from scrubber.rules import icd10, integrity, ncci, pairing, reading, tr3
from scrubber.rules.registry import RuleRegistry


@cache
def default_registry() -> RuleRegistry:
    """All rules; built once per process. Raises DuplicateRuleCode if two rules share a code."""
    return RuleRegistry(
        [
            *reading.RULES,
            *tr3.RULES,
            *icd10.RULES,
            *pairing.RULES,
            *integrity.RULES,
            *ncci.RULES,
        ]
    )
