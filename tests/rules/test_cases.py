"""The per-rule cases: every ``tests/rules/cases/<CODE>.toml`` run through the real pipeline.

One file per rule of the catalogue (sqlfluff keeps its ``std_rule_cases`` the same way), named by
the rule's code, with ``[[pass]]`` and ``[[fail]]`` cases::

    [[pass]]
    name = "total equals the lines"
    claim = { total = "250.00", lines = [{ charge = "100.00" }, { charge = "150.00" }] }

    [[fail]]
    name = "total differs from the lines"
    claim = { total = "300.00", lines = [{ charge = "100.00" }, { charge = "150.00" }] }
    element = "CLM02"                  # what the finding must say (all optional but the count)

The input is ``claim`` (ClaimSpec fields of :mod:`scrubber.synthetic`, lines as LineSpec tables;
one default claim when absent) or ``claims`` (several), rendered by ``render_837`` (``render``:
its options), then edited by ``replace`` = ``[["old", "new"], ["old", "new", 2 | "all"],
{ old, new, count, times }]`` (the first ``count`` occurrences; ``times`` repeats ``new``; an
``old`` not in the file is an error, so an edit never silently does nothing).

Run settings: ``structure`` ("off" by default, every engine of :data:`STRUCTURE_ENGINES` for the
X12 rules, or one name, or "all"), ``as_of`` (:data:`AS_OF` by default), ``options`` (the rule's
``[rules.options.CODE]`` table), ``config`` (any other scrubber.toml table: payers, disable ...),
``policy_pack`` (the TOML text of a pairing policy pack used beside the default one), ``ncci``
(made-up PTP and MUE rows, written in the CMS layouts and imported with the real importer) and
``xfail`` (why the case cannot pass yet: a string, or a table per structure engine).

A file's ``[defaults]`` table gives every case of the file the keys it does not set itself (the
NCCI tables, a policy pack); ``ncci = {}`` and ``policy_pack = ""`` in a case drop them again.

A pass case must produce no finding of its rule, a fail case ``findings`` of them (default 1),
each matching whatever it states of ``element``, ``loop``, ``severity``, ``message`` (a
substring), ``codes``, ``where`` ("claim" or "file") and ``claim_id``; every one needs a reference
and a fix. Guards keep a pass from being vacuous: a claim rule's case must read all its claims,
and a run under a structure engine must check the whole file (no X12018).

Cases run with the bundled ICD-10-CM years and only the reference data they name, never a
developer's imported code sets or NCCI database. Engines are built once per distinct setting.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, field_validator

from scrubber.config import ScrubberConfig, Settings
from scrubber.findings import Finding
from scrubber.refdata.codesets.icd10 import CodeSets
from scrubber.refdata.ncci.store import import_tables, open_tables
from scrubber.report.model import FileReport
from scrubber.rules.base import IssueRule, StructureRule
from scrubber.rules.catalogue import default_registry
from scrubber.rules.engine import RuleEngine
from scrubber.synthetic import ClaimSpec, LineSpec, render_837
from scrubber.workflows.api import Scrubber
from scrubber.workflows.setup import build_engine

CASES_DIR = Path(__file__).parent / "cases"
# The TR3 structure engines the X12 cases run under, each case once per engine. Add "native"
# here when scrubber.workflows.setup.native_check_factory provides the native validator.
STRUCTURE_ENGINES: tuple[str, ...] = ("native", "pyx12")
AS_OF = dt.date(2026, 11, 27)  # the run date of every case that does not set its own
REGISTRY = default_registry()


# -- the format ------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Edit(_Strict):
    """One textual edit of the rendered file."""

    old: str = Field(min_length=1)
    new: str
    count: int | Literal["all"] = 1
    times: int = Field(1, ge=1)

    def apply(self, text: str) -> str:
        found = text.count(self.old)
        wanted = 1 if self.count == "all" else self.count
        if found < wanted:
            raise ValueError(f"replace: {self.old!r} occurs {found} times in the rendered file, {wanted} needed")
        return text.replace(self.old, self.new * self.times, -1 if self.count == "all" else self.count)


class PtpRow(_Strict):
    """A practitioner PTP edit (column 1 / column 2 pair), as a row of the CMS text file."""

    column1: str
    column2: str
    effective: dt.date = dt.date(2020, 1, 1)
    deletion: dt.date | None = None
    modifier: Literal[0, 1, 9] = 1
    prior_1996: bool = False
    rationale: str = "Made-up edit"

    def cells(self) -> list[str]:
        deletion = self.deletion.strftime("%Y%m%d") if self.deletion else "*"
        prior = "*" if self.prior_1996 else ""
        return [self.column1, self.column2, prior, self.effective.strftime("%Y%m%d"), deletion,
                str(self.modifier), self.rationale]  # fmt: skip


MAI_TEXT = {1: "1 Line Edit", 2: "2 Date of Service Edit: Policy", 3: "3 Date of Service Edit: Clinical"}


class MueRow(_Strict):
    """A practitioner MUE: units of a code per line (MAI 1) or per date of service (MAI 2, 3)."""

    code: str
    value: int
    mai: Literal[1, 2, 3] = 2
    rationale: str = "Made-up edit"


class Ncci(_Strict):
    ptp: list[PtpRow] = []
    mue: list[MueRow] = []

    def __bool__(self) -> bool:  # ncci = {} : no imported tables (overrides a file's [defaults])
        return bool(self.ptp or self.mue)


class PassCase(_Strict):
    name: str = Field(min_length=1)
    claim: dict[str, Any] | None = None
    claims: list[dict[str, Any]] | None = None
    render: dict[str, Any] = {}
    replace: list[Edit] = []
    structure: str | None = None
    as_of: dt.date = AS_OF
    options: dict[str, Any] | None = None
    config: dict[str, Any] = {}
    policy_pack: str | None = None
    ncci: Ncci | None = None
    xfail: str | dict[str, str] | None = None

    @field_validator("replace", mode="before")
    @classmethod
    def _edits(cls, value: Any) -> Any:
        def edit(item: Any) -> Any:
            if isinstance(item, list) and len(item) in (2, 3):
                return dict(zip(("old", "new", "count"), item, strict=False))
            return item

        return [edit(item) for item in value] if isinstance(value, list) else value

    def specs(self) -> list[ClaimSpec]:
        if self.claim is not None and self.claims is not None:
            raise ValueError("give either claim or claims")
        tables = self.claims if self.claims is not None else [self.claim or {}]
        return [_spec(table) for table in tables]

    def text(self) -> str:
        text = render_837(self.specs(), **self.render)
        for edit in self.replace:
            text = edit.apply(text)
        return text

    def settings_key(self, code: str) -> str:
        """Everything the engine is built from, as one string (engines are cached by it)."""
        config = json.loads(json.dumps(self.config))
        if self.options is not None:
            config.setdefault("rules", {}).setdefault("options", {})[code] = self.options
        parts = {"as_of": self.as_of, "config": config, "pack": self.policy_pack or None,
                 "ncci": self.ncci.model_dump() if self.ncci else None}  # fmt: skip
        return json.dumps(parts, sort_keys=True, default=str)


class FailCase(PassCase):
    findings: int = Field(1, ge=1)
    element: str | None = None
    loop: str | None = None
    severity: Literal["error", "warning", "info"] | None = None
    message: str | None = None
    codes: list[str] | None = None
    where: Literal["claim", "file"] | None = None
    claim_id: str | None = None


def _spec(table: dict[str, Any]) -> ClaimSpec:
    fields = dict(table)
    if "lines" in fields:
        fields["lines"] = [LineSpec(**line) for line in fields["lines"]]
    return ClaimSpec(**fields)


@dataclass(frozen=True, repr=False)
class CaseRun:
    """One case under one structure setting: one pytest test."""

    code: str
    kind: Literal["pass", "fail"]
    case: PassCase
    structure: str

    @property
    def id(self) -> str:
        suffix = f" ({self.structure})" if self.structure != "off" else ""
        return f"{self.code}/{self.kind}/{self.case.name}{suffix}"

    def __repr__(self) -> str:
        return f"CaseRun({self.id!r})"


def _structures(code: str, case: PassCase) -> tuple[str, ...]:
    is_x12 = isinstance(REGISTRY.get(code), StructureRule)
    wanted = case.structure or ("all" if is_x12 else "off")
    structures = STRUCTURE_ENGINES if wanted == "all" else (wanted,)
    for structure in structures:
        if structure not in (*STRUCTURE_ENGINES, "off"):
            raise ValueError(f"structure {structure!r}: use 'off', 'all' or one of {', '.join(STRUCTURE_ENGINES)}")
        if is_x12 and structure == "off":
            raise ValueError("an X12 rule's findings come from a structure engine: structure cannot be 'off'")
    return structures


def load_case_file(path: Path) -> list[CaseRun]:
    """The runs of one case file; raises ValueError naming the file and case when it is malformed."""
    code = path.stem
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    unknown = set(data) - {"defaults", "pass", "fail"}
    if unknown:
        raise ValueError(f"{path.name}: only [defaults], [[pass]] and [[fail]] belong here, not {sorted(unknown)}")
    defaults = data.get("defaults", {})
    runs = []
    for kind, model in (("pass", PassCase), ("fail", FailCase)):
        names = set()
        for index, table in enumerate(data.get(kind, [])):
            try:
                case = model.model_validate({**defaults, **table})
                case.text()  # every claim field and edit is checked when the cases are collected
                structures = _structures(code, case)
                rule = REGISTRY.get(code)
                if case.options is not None and rule is not None and rule.options is None:
                    raise ValueError(f"{code} has no options")
            except (ValueError, TypeError) as error:
                raise ValueError(f"{path.name} {kind}[{index}] {table.get('name', '')!r}: {error}") from None
            if case.name in names:
                raise ValueError(f"{path.name}: two {kind} cases are named {case.name!r}")
            names.add(case.name)
            runs += [CaseRun(code, kind, case, structure) for structure in structures]  # type: ignore[arg-type]
    return runs


CASE_FILES = sorted(CASES_DIR.glob("*.toml"))
RUNS = [run for path in CASE_FILES for run in load_case_file(path)]


# -- running ---------------------------------------------------------------------------------


@dataclass(repr=False)
class Runner:
    """Engines and scrubbers built once per distinct setting, reference data once per session."""

    tmp: pytest.TempPathFactory
    code_sets: CodeSets = field(default_factory=lambda: CodeSets.load(include_user=False, lazy=True))
    engines: dict[str, RuleEngine] = field(default_factory=dict)
    scrubbers: dict[tuple[str, str], Scrubber] = field(default_factory=dict)

    def scrubber(self, run: CaseRun) -> Scrubber:
        settings = run.case.settings_key(run.code)
        if settings not in self.engines:
            self.engines[settings] = self._engine(run)
        key = (run.structure, settings)
        if key not in self.scrubbers:
            engine = self.engines[settings]
            self.scrubbers[key] = Scrubber(structure=run.structure, as_of=run.case.as_of, engine=engine)  # type: ignore[arg-type]
        return self.scrubbers[key]

    def _engine(self, run: CaseRun) -> RuleEngine:
        case, directory = run.case, self.tmp.mktemp(run.code)
        config = json.loads(run.case.settings_key(run.code))["config"]
        if case.policy_pack:
            pack = directory / "pack.toml"
            pack.write_text(case.policy_pack, encoding="utf-8")
            config.setdefault("policies", {}).setdefault("packs", []).append(str(pack))
        if case.ncci:
            config["ncci"] = {"database": str(_import_ncci(case.ncci, directory))}
        settings = Settings(config=ScrubberConfig.model_validate(config))
        for code, values in settings.config.rules.options.items():
            model = REGISTRY[code].options
            assert model is not None, f"{code} has no options"  # load_config refuses them too
            settings.options[code] = model.model_validate(values)
        engine = build_engine(settings=settings, as_of=case.as_of)
        # Only the case's reference data: never a developer's imported ICD-10 years or NCCI tables.
        engine.context.icd10 = self.code_sets
        if not case.ncci:
            engine.context.ncci = None
        return engine


def _import_ncci(ncci: Ncci, directory: Path) -> Path:
    """The rows written as CMS files (practitioner PTP text, MUE CSV) and imported with the real importer."""
    ptp = directory / "ccipra-v000r0-f1.txt"
    ptp.write_text(
        "CPT codes, descriptions and other data only are copyright American Medical Association.\n"
        "MADE-UP TEST TABLE in the CMS practitioner PTP layout.\n\n"
        "Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date *=no data\t"
        "Modifier 0=not allowed 1=allowed 9=not applicable\tPTP Edit Rationale\n"
        + "".join("\t".join(row.cells()) + "\n" for row in ncci.ptp),
        encoding="utf-8",
    )
    mue = directory / "MCR_MUE_PractitionerServices.csv"
    mue.write_text(
        '"MADE-UP TEST TABLE in the CMS layout",,,\n'
        '"HCPCS/CPT Code","Practitioner Services MUE Values","MUE Adjudication Indicator","MUE Rationale"\n'
        + "".join(f'{row.code},{row.value},"{MAI_TEXT[row.mai]}","{row.rationale}"\n' for row in ncci.mue),
        encoding="utf-8",
    )
    database = directory / "ncci.sqlite3"
    import_tables(database, [ptp] if ncci.ptp else [], [mue] if ncci.mue else [])
    open_tables(database)  # fails here, not inside the engine, if the import wrote nothing usable
    return database


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Runner:
    return Runner(tmp_path_factory)


def _located(finding: Finding, claim_id: str | None) -> str:
    location = finding.location
    where = f"claim {claim_id}" if claim_id is not None else "file"
    at = f" segment {location.segment} {location.loop} {location.element}" if location else ""
    return f"  {finding.rule} {finding.severity} ({where}{at}): {finding.message} codes={finding.codes}"


def _explain(run: CaseRun, text: str, report: FileReport, problem: str) -> str:
    everything = [(None, f) for f in report.file_findings]
    everything += [(c.claim_id, f) for c in report.claims for f in c.findings]
    mine = [_located(f, cid) for cid, f in everything if f.rule == run.code] or ["  (none)"]
    others = [_located(f, cid) for cid, f in everything if f.rule != run.code] or ["  (none)"]
    lines = [f"{n:4} | {line[:160]}" for n, line in enumerate(text.splitlines(), start=1)]
    return "\n".join(
        [f"{run.id}: {problem}", f"{run.code} findings:", *mine, "other findings:", *others, "rendered file:", *lines]
    )


def _marks(run: CaseRun) -> list[pytest.MarkDecorator]:
    reason = run.case.xfail
    if isinstance(reason, dict):
        reason = reason.get(run.structure)
    return [pytest.mark.xfail(reason=reason, strict=True)] if reason else []


@pytest.mark.parametrize("run", [pytest.param(r, id=r.id, marks=_marks(r)) for r in RUNS])
def test_case(run: CaseRun, runner: Runner) -> None:
    check_case(run, runner)


def check_case(run: CaseRun, runner: Runner) -> None:
    """Run one case through the pipeline and assert what it states (AssertionError otherwise)."""
    case, text = run.case, run.case.text()
    report = runner.scrubber(run).report(text.encode("latin-1"), name=f"{run.code}.837")
    everything = [(None, f) for f in report.file_findings] + [
        (c.claim_id, f) for c in report.claims for f in c.findings
    ]
    found = [(claim_id, f) for claim_id, f in everything if f.rule == run.code]

    def check(condition: bool, problem: str) -> None:
        assert condition, _explain(run, text, report, problem)

    if not isinstance(REGISTRY.get(run.code), IssueRule | StructureRule):  # a claim rule saw every claim
        expected = [spec.claim_id for spec in case.specs()]
        check([c.claim_id for c in report.claims] == expected, f"the claims read are not {expected}")
    if run.structure != "off" and run.code != "X12018":  # the structure check read the whole file
        check(not any(f.rule == "X12018" for _, f in everything), "the structure check did not complete")
    if not isinstance(case, FailCase):
        check(not found, f"expected no {run.code} finding")
        return
    check(len(found) == case.findings, f"expected {case.findings} {run.code} finding(s), got {len(found)}")
    for claim_id, finding in found:
        location = finding.location
        check(bool(finding.reference and finding.fix), "a finding without reference or fix")
        for stated, actual, what in (
            (case.element, location.element if location else None, "element"),
            (case.loop, location.loop if location else None, "loop"),
            (case.severity, str(finding.severity), "severity"),
            (case.codes, finding.codes, "codes"),
            (case.where, "file" if claim_id is None else "claim", "where"),
            (case.claim_id, claim_id, "claim_id"),
        ):
            check(stated is None or stated == actual, f"{what} is {actual!r}, not {stated!r}")
        check(case.message is None or case.message in finding.message, f"message lacks {case.message!r}")


WRONG = [  # cases whose expectation the pipeline does not meet, and what the runner must say
    ("CLM001", "pass", {"claim": {"total": "100.01"}}, "expected no CLM001 finding"),
    ("CLM001", "fail", {"claim": {}}, "expected 1 CLM001 finding(s), got 0"),
    ("CLM001", "fail", {"claim": {"total": "1"}, "element": "CLM03"}, "element is 'CLM02', not 'CLM03'"),
    ("CLM003", "fail", {"claim": {"diagnoses": ["R05.9", "I10"]}, "severity": "error"}, "severity is 'info'"),
    ("ENV001", "fail", {"replace": [["SE*23*", "SE*2*"]], "where": "claim"}, "where is 'file'"),
    ("CLM001", "pass", {"replace": [["CLM*CLAIM1*", "CLM*CLAIM2*"]]}, "the claims read are not ['CLAIM1']"),
    ("X12013", "pass", {"structure": "pyx12", "replace": [["*SUBMITTER01    *", "*SUBMITTER01*"]]}, "did not complete"),
]


@pytest.mark.parametrize(("code", "kind", "table", "problem"), WRONG, ids=[w[3] for w in WRONG])
def test_the_runner_fails_a_case_the_pipeline_does_not_meet(
    code: str, kind: str, table: dict[str, Any], problem: str, runner: Runner
) -> None:
    model = FailCase if kind == "fail" else PassCase
    case = model.model_validate({"name": "wrong", **table})
    run = CaseRun(code, kind, case, _structures(code, case)[0])  # type: ignore[arg-type]
    with pytest.raises(AssertionError, match="rendered file:") as raised:
        check_case(run, runner)
    assert problem in str(raised.value).splitlines()[0]


MALFORMED = [  # case files the loader refuses, and what it says
    ("CLM001", '[[fail]]\nname = "x"\nelemnt = "CLM02"', "elemnt"),
    ("CLM001", '[[pass]]\nname = "x"\nfindings = 2', "findings"),
    ("CLM001", '[[pass]]\nname = "x"\nclaim = { totl = "1" }', "totl"),
    ("CLM001", '[[pass]]\nname = "x"\nreplace = [["NO SUCH TEXT", ""]]', "'NO SUCH TEXT' occurs 0 times"),
    ("CLM001", '[[pass]]\nname = "x"\n[[pass]]\nname = "x"', "two pass cases are named 'x'"),
    ("CLM001", '[[pass]]\nname = "x"\noptions = { a = 1 }', "CLM001 has no options"),
    ("CLM001", '[[case]]\nname = "x"', "not ['case']"),
    ("X12013", '[[pass]]\nname = "x"\nstructure = "off"', "structure cannot be 'off'"),
    ("CLM001", '[[pass]]\nname = "x"\nstructure = "nativ"', "structure 'nativ'"),
]


@pytest.mark.parametrize(("code", "text", "problem"), MALFORMED, ids=[m[2] for m in MALFORMED])
def test_a_malformed_case_file_is_refused_by_name(code: str, text: str, problem: str, tmp_path: Path) -> None:
    path = tmp_path / f"{code}.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=f"^{code}.toml") as raised:
        load_case_file(path)
    assert problem in str(raised.value)


def test_every_rule_has_passing_and_failing_cases() -> None:
    kinds: dict[str, set[str]] = {}
    for run in RUNS:
        kinds.setdefault(run.code, set()).add(run.kind)
    missing = {rule.code: sorted({"pass", "fail"} - kinds.get(rule.code, set())) for rule in REGISTRY}
    assert {code: lacking for code, lacking in missing.items() if lacking} == {}


def test_every_case_file_names_a_registered_rule() -> None:
    assert CASE_FILES, f"no case files in {CASES_DIR}"
    assert [p.name for p in CASE_FILES if p.stem not in REGISTRY] == []
