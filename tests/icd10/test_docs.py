"""Every ICD rule's docstring is its doc page, with the fixed headings in order."""

from __future__ import annotations

import pytest

from scrubber.rules.base import DOC_HEADINGS
from scrubber.rules.icd10 import RULES


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_doc_headings(rule):
    doc = rule.doc()
    positions = [doc.find(f"{heading}:") for heading in DOC_HEADINGS]
    assert -1 not in positions, rule.code
    assert positions == sorted(positions)


def test_codes_are_the_catalogue_ids():
    assert [r.code for r in RULES] == [f"ICD{n:03d}" for n in range(1, 12)]
