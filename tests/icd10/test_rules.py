"""Each ICD rule on claims built through the real 837P renderer and walker.

Cases are data (as sqlfluff keeps its rule cases): diagnoses and demographics, the rule, and the
codes the finding must name (empty: the claim must pass).
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.builders import build_claim

FY2026 = dt.date(2026, 3, 2)

CASES = [
    # rule, diagnoses, claim fields, codes expected in the finding ([] = passes)
    ("ICD001", ["S30.1XXA"], {"service_date": dt.date(2025, 11, 3)}, ["S30.1XXA"]),
    ("ICD001", ["S30.1XXA"], {"service_date": dt.date(2024, 12, 2)}, []),
    ("ICD001", ["M62.99"], {}, ["M62.99"]),
    ("ICD001", ["M62.81"], {}, []),
    ("ICD002", ["M62.8"], {}, ["M62.8"]),
    ("ICD002", ["S72.001"], {}, ["S72.001"]),
    ("ICD002", ["M62.81"], {}, []),
    ("ICD002", ["G35"], {"service_date": dt.date(2025, 9, 30)}, []),  # billable in FY2025
    ("ICD002", ["G35"], {"service_date": dt.date(2025, 10, 1)}, ["G35"]),  # a header from FY2026
    ("ICD004", ["R53.1", "M62.81"], {}, ["R53.1", "M62.81"]),
    ("ICD004", ["M62.81", "R53.1"], {}, ["M62.81", "R53.1"]),  # both directions
    ("ICD004", ["M62.81", "M62.84"], {}, ["M62.81", "M62.84"]),
    ("ICD004", ["M62.81", "R53.83"], {}, []),
    ("ICD004", ["M62.81"], {}, []),
    ("ICD004", ["G63", "E11.42"], {}, ["G63", "E11.42"]),  # G63 Excludes1 (E08-E13 with .42)
    ("ICD004", ["G63", "E11.40"], {}, []),  # the qualifier narrows the range to .42
    ("ICD005", ["G01", "A39.0"], {}, ["G01"]),
    ("ICD005", ["A39.0", "G01"], {}, []),
    ("ICD005", ["F02.80", "G30.9"], {}, ["F02.80"]),
    ("ICD006", ["W01.0XXA", "S52.501A"], {}, ["W01.0XXA"]),
    ("ICD006", ["S52.501A", "W01.0XXA"], {}, []),
    ("ICD007", ["O80"], {"birth_date": dt.date(1950, 1, 1)}, ["O80"]),
    ("ICD007", ["O80"], {"birth_date": dt.date(1995, 1, 1)}, []),
    ("ICD007", ["Z38.00"], {"birth_date": dt.date(2020, 1, 1)}, ["Z38.00"]),
    ("ICD007", ["Z38.00"], {"birth_date": dt.date(2026, 3, 1)}, []),
    ("ICD007", ["O80"], {"birth_date": None}, []),
    ("ICD008", ["N40.0"], {"sex": "F"}, ["N40.0"]),
    ("ICD008", ["N40.0"], {"sex": "M"}, []),
    ("ICD008", ["O80"], {"sex": "M", "birth_date": dt.date(1995, 1, 1)}, ["O80"]),
    ("ICD008", ["N40.0"], {"sex": "U"}, []),
    ("ICD009", ["M25.569"], {}, ["M25.569"]),
    ("ICD009", ["M25.561"], {}, []),
    ("ICD010", ["R51.9", "G43.909"], {}, ["R51.9", "G43.909"]),
    ("ICD010", ["R51.9", "S52.501A"], {}, []),
    ("ICD010", ["R53.1", "M62.81"], {}, []),  # an Excludes1 pair is ICD004's, not repeated
    ("ICD011", ["E11.9", "I10", "E11.9"], {}, ["E11.9"]),
    ("ICD011", ["E11.9", "I10"], {}, []),
]


@pytest.mark.parametrize(("rule", "diagnoses", "fields", "expected"), CASES)
def test_rule_case(check, rule, diagnoses, fields, expected):
    claim = build_claim(diagnoses=diagnoses, **{"service_date": FY2026, **fields})
    findings = check(claim, rule)
    if not expected:
        assert findings == []
        return
    assert len(findings) == 1, [f.message for f in findings]
    finding = findings[0]
    assert finding.rule == rule
    assert finding.codes == expected
    assert finding.location is not None and finding.location.loop == "2300"
    assert finding.location.element.startswith("HI")
    assert finding.reference and finding.fix


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


def test_icd9_qualifier_after_icd10_date_is_an_error(check):
    claim = build_claim(diagnoses=["401.9"], icd9=True, service_date=FY2026)
    (finding,) = check(claim, "ICD003")
    assert finding.severity == "error"
    assert finding.location.element == "HI01-1"


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


def test_sex_lists_are_configurable(check, ctx):
    from scrubber.rules.base import RuleContext

    claim = build_claim(diagnoses=["N40.0"], sex="F", service_date=FY2026)
    quiet = RuleContext(icd10=ctx.icd10, options={"ICD008": {"ignore": ["N40"]}})
    assert check(claim, "ICD008", quiet) == []
    extra = RuleContext(icd10=ctx.icd10, options={"ICD008": {"male_only": ["M62.81"]}})
    assert check(build_claim(diagnoses=["M62.81"], sex="F", service_date=FY2026), "ICD008", extra)


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
