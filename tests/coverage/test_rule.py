"""PAIR001 over imported articles: support, non-covered codes, asterisk notes, linking, packs, payers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from scrubber.findings import Finding
from scrubber.refdata.coverage import CoverageRules, open_store
from scrubber.refdata.policies import load_policies
from scrubber.rules.base import RuleContext
from scrubber.rules.pairing import ProcedureNotSupported
from tests.builders import ClaimSpec, LineSpec, build_claim
from tests.coverage.conftest import DAY, chest_article, import_articles


def pair001(coverage: CoverageRules, procedure: str, diagnoses: list[str], pointers: list[int], **options) -> list:
    spec = ClaimSpec(
        diagnoses=diagnoses,
        lines=[LineSpec(procedure, pointers=pointers)],
        service_date=options.pop("day", DAY),
        payer_id=options.pop("payer", "PAYER01"),
    )
    ctx = RuleContext(as_of=DAY, coverage=coverage, policies=options.pop("policies", None))
    return list(ProcedureNotSupported().check(build_claim(spec), ctx))


def summary(findings: list[Finding]) -> list[tuple[str, str, list[str]]]:
    return [(f.severity.value, f.location.element, f.codes) for f in findings]


def test_a_pointed_diagnosis_outside_the_covered_groups_is_not_supported(coverage: CoverageRules) -> None:
    (finding,) = pair001(coverage, "71250", ["I10"], [1])
    assert summary([finding]) == [("warning", "SV107-1", ["71250", "I10"])]
    assert "group of LCD L39001, billing and coding article A50001, version 4 (Medicare)" in finding.message
    assert "ties none of its covered groups to particular procedures" in finding.message
    assert finding.reference.startswith(
        'LCD L39001, billing and coding article A50001, version 4 "Billing and Coding: Made-Up Chest CT, "Adults""'
    )
    assert "Medicare Coverage Database" in finding.reference
    assert "Made-up covered list, first line second line" in finding.fix  # the group paragraph, plain text
    assert "<p>" not in finding.fix


def test_a_pointed_covered_diagnosis_supports_the_line_dotted_or_not(coverage: CoverageRules) -> None:
    assert pair001(coverage, "71250", ["R91.1"], [1]) == []  # the download lists it as R911
    assert pair001(coverage, "71260", ["I10", "R05.9"], [1, 2]) == []


def test_a_covered_diagnosis_the_line_does_not_point_to_does_not_count(coverage: CoverageRules) -> None:
    (finding,) = pair001(coverage, "71250", ["I10", "R05.9"], [1])
    assert finding.codes == ["71250", "I10"]


def test_a_non_covered_diagnosis_is_reported_as_the_article_lists_it(coverage: CoverageRules) -> None:
    unsupported, noncovered = pair001(coverage, "71250", ["M62.81"], [1])
    assert "not supported" in unsupported.message
    assert summary([noncovered]) == [("warning", "SV107-1", ["71250", "M62.81"])]
    assert "lists M62.81 as not supporting medical necessity for 71250" in noncovered.message
    assert "these codes do not support medical necessity" in noncovered.message


def test_a_non_covered_diagnosis_beside_a_supporting_one_is_a_note(coverage: CoverageRules) -> None:
    (finding,) = pair001(coverage, "71250", ["M62.81", "R05.9"], [1, 2])
    assert summary([finding]) == [("info", "SV107-1", ["71250", "M62.81"])]
    assert "supported otherwise (by R05.9)" in finding.message


def test_support_resting_on_an_asterisked_code_quotes_the_note(coverage: CoverageRules) -> None:
    (finding,) = pair001(coverage, "71250", ["I10", "C34.90"], [1, 2])
    assert summary([finding]) == [("info", "SV107-2", ["71250", "C34.90"])]
    assert '"*Dual diagnosis: secondary code required & listed first"' in finding.message
    assert pair001(coverage, "71250", ["C34.90", "R05.9"], [1, 2]) == []  # other support: no note


def test_a_group_whose_paragraph_names_procedures_applies_only_to_them(coverage: CoverageRules) -> None:
    (finding,) = pair001(coverage, "93880", ["R10.9"], [1])  # R10.9 is covered for 76700 only
    assert "Covered groups that apply: A50002: group 1 names 93880." in finding.message
    assert pair001(coverage, "76700", ["R10.9"], [1]) == []
    assert pair001(coverage, "93882", ["I65.21"], [1]) == []


def test_articles_apply_only_on_dates_they_are_in_effect(tmp_path: Path) -> None:
    store = open_store(import_articles(tmp_path, [chest_article(effective="2026-03-02", end="2026-03-31")]))
    coverage = CoverageRules(store)
    assert pair001(coverage, "71250", ["I10"], [1], day=dt.date(2026, 3, 1)) == []
    assert len(pair001(coverage, "71250", ["I10"], [1], day=dt.date(2026, 3, 2))) == 1
    assert len(pair001(coverage, "71250", ["I10"], [1], day=dt.date(2026, 3, 31))) == 1
    assert pair001(coverage, "71250", ["I10"], [1], day=dt.date(2026, 4, 1)) == []


def test_one_supporting_article_of_several_is_enough(tmp_path: Path) -> None:
    other = chest_article(article_id=50003, lcd="39003", covered={1: ["E11.9"]}, noncovered={})
    coverage = CoverageRules(open_store(import_articles(tmp_path, [chest_article(), other])))
    assert pair001(coverage, "71250", ["E11.9"], [1]) == []
    (finding,) = pair001(coverage, "71250", ["I10"], [1])
    assert "group of the 2 Medicare billing and coding articles A50001, A50003." in finding.message
    assert "A50001" in finding.reference and "A50003" in finding.reference


def test_packs_and_articles_combine_as_a_union(tmp_path: Path) -> None:
    extra = chest_article(covered={1: ["E11.9", "R05.9"]})  # E11.9: not in the default pack's L33459 entry
    coverage = CoverageRules(open_store(import_articles(tmp_path, [extra])))
    packs = load_policies()
    assert pair001(coverage, "71250", ["E11.9"], [1], policies=packs) == []  # the article widens the pack
    assert pair001(coverage, "71250", ["R07.9"], [1], policies=packs) == []  # the pack widens the article
    both = pair001(coverage, "71250", ["I10"], [1], policies=packs)
    assert [("L33459" in f.reference, "A50001" in f.reference) for f in both] == [(True, False), (False, True)]


def test_articles_judge_only_the_configured_payers(store_path: Path) -> None:
    coverage = CoverageRules(open_store(store_path), payers=["MEDICARE01"])
    assert pair001(coverage, "71250", ["I10"], [1], payer="PAYER01") == []
    assert len(pair001(coverage, "71250", ["I10"], [1], payer="MEDICARE01")) == 1
    assert pair001(CoverageRules(open_store(store_path), payers=[]), "71250", ["I10"], [1]) == []  # [] = off


def test_procedures_no_article_lists_are_left_alone(coverage: CoverageRules) -> None:
    assert pair001(coverage, "99213", ["I10"], [1]) == []
    assert pair001(coverage, "71250", ["I10"], [7]) == []  # a bad pointer is CLM002's


def test_groups_that_name_no_procedure_apply_beside_those_that_name_others(tmp_path: Path) -> None:
    article = chest_article(
        covered={1: ["R05.9"], 2: ["I10"]},
        covered_paragraphs={1: "<p>For 71260 only</p>", 2: "<p>General indications</p>"},
        noncovered={},
    )
    coverage = CoverageRules(open_store(import_articles(tmp_path, [article])))
    (finding,) = pair001(coverage, "71250", ["R05.9"], [1])  # group 1 is 71260's
    assert "A50001: group 2 names no procedure and applies to all it lists." in finding.message
    assert pair001(coverage, "71250", ["I10"], [1]) == []
    assert pair001(coverage, "71260", ["R05.9"], [1]) == []
