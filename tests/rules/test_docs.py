"""Every registered rule documents itself with the fixed headings `scrubber rules ID` prints."""

from __future__ import annotations

import pytest

from scrubber.rules.base import DOC_HEADINGS, Rule
from scrubber.rules.catalogue import default_registry

RULES = list(default_registry())


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_rule_doc_has_every_heading(rule: Rule) -> None:
    doc = rule.doc()
    missing = [heading for heading in DOC_HEADINGS if f"{heading}:" not in doc]
    assert not missing, f"{rule.code} doc misses {missing}"
    positions = [doc.index(f"{heading}:") for heading in DOC_HEADINGS]
    assert positions == sorted(positions), f"{rule.code} headings out of order"


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_rule_has_its_catalogue_attributes(rule: Rule) -> None:
    assert rule.code and rule.name and rule.summary and rule.severity
