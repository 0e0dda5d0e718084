"""Excludes1 pairs drawn from the CDC tabular XML itself, read here without the build code.

The test parses the FY2026 tabular with xml.etree, collects notes whose parentheses hold exactly
one code (``muscle weakness (generalized) (M62.81)``), and pairs a billable code under the note's
code with a billable code at or under the excluded one. Every such claim must get ICD004.
"""

from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET

import pytest

from tests.builders import build_claim
from tests.icd10.conftest import leaves

SINGLE_CODE = re.compile(r"\(([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?)\)")
SAMPLE = 220


def _excludes1_pairs(xml: bytes) -> list[tuple[str, str]]:
    pairs = []
    for diag in ET.fromstring(xml).iter("diag"):
        owner = diag.findtext("name", "").replace(".", "")
        for note in diag.findall("excludes1/note"):
            for code in SINGLE_CODE.findall(note.text or ""):
                pairs.append((owner, code.replace(".", "")))
    return pairs


@pytest.mark.slow  # parses the whole tabular XML; ICD004's cases and tests/icd10/test_rules.py run quickly
def test_random_excludes1_pairs_from_the_tabular_are_flagged(check, tabular_xml_2026, code_list_2026):
    billable = sorted(leaves(code_list_2026))
    under = {}

    def billable_under(code: str) -> list[str]:
        if code not in under:
            under[code] = [c for c in billable if c.startswith(code)]
        return under[code]

    rng = random.Random(20260401)
    pairs = _excludes1_pairs(tabular_xml_2026)
    rng.shuffle(pairs)
    claims = []
    for owner, excluded in pairs:
        left, right = billable_under(owner), billable_under(excluded)
        if not left or not right or owner.startswith(excluded) or excluded.startswith(owner):
            continue
        claims.append((rng.choice(left), rng.choice(right)))
        if len(claims) == SAMPLE:
            break
    assert len(claims) == SAMPLE
    missed = []
    for a, b in claims:
        claim = build_claim(diagnoses=[a, b])  # builder default DOS 2026-03-02: FY2026
        findings = check(claim, "ICD004")
        if not findings:
            missed.append((a, b))
    assert missed == []
