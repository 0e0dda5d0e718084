"""The ICD rules beyond pass and fail: messages, references, code-set years, contexts.

Which claims pass and fail each rule is in tests/rules/cases/ICD*.toml; here, on claims built
through the real 837P renderer and walker, what a finding says and how the rules share a claim.
"""

from __future__ import annotations

import datetime as dt

from tests.builders import build_claim

FY2026 = dt.date(2026, 3, 2)


def test_excludes1_finding_points_at_the_second_code_and_cites_the_note(check):
    claim = build_claim(diagnoses=["R53.1", "M62.81"], service_date=FY2026)
    (finding,) = check(claim, "ICD004")
    assert finding.location.element == "HI02-2"
    assert finding.reference == "ICD-10-CM FY2026 tabular, R53.1 Excludes1"
    assert finding.severity == "error"
    assert "M62.81" in finding.message


def test_excludes1_inherited_from_category(check):
    # M62 (category) Excludes1: cramp and spasm (R25.2); M62.81 inherits it.
    (finding,) = check(build_claim(diagnoses=["M62.81", "R25.2"], service_date=FY2026), "ICD004")
    assert "M62 Excludes1" in finding.reference


def test_icd9_claim_before_icd10_gets_a_note_and_no_icd10_rule_runs(check):
    claim = build_claim(diagnoses=["401.9", "250.00"], icd9=True, service_date=dt.date(2015, 9, 30))
    findings = check(claim)
    assert [(f.rule, f.severity) for f in findings] == [("ICD003", "info")]
    assert "not checked" in findings[0].message


def test_icd10_rules_skip_icd9_coded_claims(check):
    claim = build_claim(diagnoses=["R53.1", "M62.81"], icd9=True, service_date=FY2026)
    assert {f.rule for f in check(claim)} == {"ICD003"}


def test_deleted_code_message_names_the_year_it_was_valid(check):
    (finding,) = check(build_claim(diagnoses=["S30.1XXA"], service_date=dt.date(2025, 11, 3)), "ICD001")
    assert "ICD-10-CM FY2026" in finding.message
    assert "FY2025" in finding.message
    assert finding.reference.startswith("ICD-10-CM FY2026")


def test_fy2027_date_is_judged_by_the_provisional_year_and_says_so(check):
    # C78.3 gained subcodes in FY2027 (MCE v44): a new code passes, the old header fails.
    day = dt.date(2026, 11, 3)
    assert check(build_claim(diagnoses=["C78.31"], service_date=day), "ICD001") == []
    (finding,) = check(build_claim(diagnoses=["S23.420A"], service_date=day), "ICD001")
    assert "FY2027 (provisional" in finding.message
    assert "tabular not installed" in finding.message


def test_excludes1_severity_can_be_lowered_through_the_engine(ctx):
    from scrubber.findings import Severity
    from scrubber.rules.engine import RuleEngine
    from scrubber.rules.icd10 import RULES
    from scrubber.rules.registry import RuleRegistry

    class Lenient:
        def is_enabled(self, code, payer_id):
            return True

        def severity_for(self, code, payer_id, default):
            return Severity.WARNING if code == "ICD004" else default

    engine = RuleEngine(RuleRegistry(RULES), ctx, Lenient())
    findings = engine.judge(build_claim(diagnoses=["R53.1", "M62.81"], service_date=FY2026))
    assert [(f.rule, f.severity) for f in findings] == [("ICD004", Severity.WARNING)]


def test_no_code_set_loaded_means_no_icd10_findings(check):
    from scrubber.rules.base import RuleContext

    claim = build_claim(diagnoses=["M62.8", "R53.1", "M62.81"], service_date=FY2026)
    assert check(claim, None, RuleContext()) == []


def test_a_claim_judged_under_two_contexts_gets_each_contexts_verdict(check, ctx):
    # ICD facts are kept on the claim once worked out; they must not leak into a run whose
    # context differs (here: one without code sets, which judges nothing).
    from scrubber.rules.base import RuleContext

    claim = build_claim(diagnoses=["M62.8"], service_date=FY2026)
    bare = RuleContext()
    assert check(claim, "ICD002", bare) == []
    assert [f.codes for f in check(claim, "ICD002", ctx)] == [["M62.8"]]
    assert check(claim, "ICD002", bare) == []
    assert [f.codes for f in check(claim, "ICD002", ctx)] == [["M62.8"]]
