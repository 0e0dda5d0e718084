"""The report: per-claim status and findings (JSON contract ``scrubber.report/1``).

The pydantic models are what a library caller holds. A claim's report is first made as plain data
(:func:`claim_data`: the dict the model would dump, key for key, with the findings as the rules'
:class:`~scrubber.findings.Found` records), because most runs only write it as JSON: :func:`claim_json`
encodes it with msgspec to the bytes pydantic would write, and the model is validated from it only
when a caller or a writer asks for one (:func:`claim_report`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import msgspec
from pydantic import BaseModel, ConfigDict, Field

from scrubber.findings import Finding, Found, Severity
from scrubber.model import Claim

SCHEMA = "scrubber.report/1"

Status = Literal["accepted", "rejected"]


class ControlNumbers(BaseModel):
    isa13: str
    gs06: str
    st02: str


class DiagnosisEntry(BaseModel):
    code: str
    qualifier: str


class LineEntry(BaseModel):
    line: int
    procedure: str
    modifiers: list[str]
    charge: str
    units: str
    pointers: list[int]
    service_date: str | None = None


class ClaimReport(BaseModel):
    """One claim's verdict, as the JSON report shows it."""

    claim_id: str
    status: Status
    control: ControlNumbers
    service_date: str | None
    payer_id: str = ""
    code_set: str | None = None  # e.g. "ICD-10-CM FY2026": the code-set version that judged the claim
    diagnoses: list[DiagnosisEntry]
    lines: list[LineEntry]
    findings: list[Finding]

    @classmethod
    def build(cls, claim: Claim, findings: Sequence[Finding | Found], code_set: str | None = None) -> ClaimReport:
        """Summarise a parsed claim and its findings; rejected when any finding is an error."""
        plain = [f if isinstance(f, Found) else Found.of(f) for f in findings]
        return claim_report(claim_data(claim, plain, code_set))


def claim_data(claim: Claim, findings: Sequence[Found], code_set: str | None = None) -> dict[str, Any]:
    """A claim's report as plain data: what ``ClaimReport.model_dump(mode="json")`` gives, in its key
    order, except that the findings stay records (msgspec writes each as its model would be written).
    Rejected when any finding is an error."""
    rejected = False
    for finding in findings:
        if finding.severity is Severity.ERROR:
            rejected = True
            break
    service_date = claim.service_date
    control = claim.control
    return {
        "claim_id": claim.claim_id,
        "status": "rejected" if rejected else "accepted",
        "control": {"isa13": control.isa13, "gs06": control.gs06, "st02": control.st02},
        "service_date": service_date.isoformat() if service_date else None,
        "payer_id": claim.payer_id,
        "code_set": code_set,
        "diagnoses": [{"code": d.code, "qualifier": d.qualifier} for d in claim.diagnoses],
        "lines": [
            {
                "line": line.number,
                "procedure": line.procedure,
                "modifiers": line.modifiers,
                "charge": line.charge_raw,
                "units": line.units_raw,
                "pointers": line.pointers,
                "service_date": line.service_date.isoformat() if line.service_date else None,
            }
            for line in claim.lines
        ],
        "findings": findings,
    }


def claim_report(data: dict[str, Any]) -> ClaimReport:
    """The validated model of :func:`claim_data` (its findings are read by attribute)."""
    return ClaimReport.model_validate(data, from_attributes=True)


def claim_json(data: dict[str, Any]) -> str:
    """:func:`claim_data` as compact JSON, byte for byte what ``ClaimReport.model_dump_json()`` writes
    (same key order, no spaces, non-ASCII characters as UTF-8, the same escapes; tests/test_golden.py
    and tests/report/test_claim_json.py). The findings are msgspec Structs, written field by field in
    declaration order. msgspec measured 25-45% faster than orjson on these reports."""
    return _ENCODE(data).decode()


_ENCODE = msgspec.json.Encoder().encode


class Summary(BaseModel):
    claims: int = 0
    accepted: int = 0
    rejected: int = 0
    findings_by_rule: dict[str, int] = {}

    def tally(self, status: str, rules: list[str]) -> None:
        """Count one claim from its status and finding rule codes (what a worker process sends)."""
        self.claims += 1
        if status == "accepted":
            self.accepted += 1
        else:
            self.rejected += 1
        self._count_rules(rules)

    def count(self, findings: list[Finding]) -> None:
        self._count_rules([f.rule for f in findings])

    def _count_rules(self, rules: list[str]) -> None:
        if not rules:
            return
        counts = self.findings_by_rule
        new_rule = False
        for rule in rules:
            new_rule = new_rule or rule not in counts
            counts[rule] = counts.get(rule, 0) + 1
        if new_rule:  # keys stay sorted, as the report shows them
            self.findings_by_rule = dict(sorted(counts.items()))


class FileReport(BaseModel):
    """Everything scrubber says about one input file."""

    model_config = ConfigDict(populate_by_name=True)

    schema_: str = Field(default=SCHEMA, alias="schema")
    file: str
    sha256: str = ""
    status: Status = "accepted"
    summary: Summary = Summary()
    file_findings: list[Finding] = []
    claims: list[ClaimReport] = []

    @property
    def rejected(self) -> bool:
        return self.status == "rejected"

    def to_json(self, indent: int | None = 2) -> str:
        return self.model_dump_json(indent=indent, by_alias=True)


def file_status(file_findings: list[Finding], summary: Summary) -> Status:
    """A file is rejected when any claim is, or when a file-level finding is an error."""
    if summary.rejected or any(f.severity is Severity.ERROR for f in file_findings):
        return "rejected"
    return "accepted"
