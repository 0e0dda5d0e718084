"""The report: per-claim status and findings (JSON contract ``scrubber.report/1``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from scrubber.findings import Finding, Severity
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
    def build(cls, claim: Claim, findings: list[Finding], code_set: str | None = None) -> ClaimReport:
        """Summarise a parsed claim and its findings; rejected when any finding is an error."""
        rejected = any(f.severity is Severity.ERROR for f in findings)
        service_date = claim.service_date
        control = claim.control
        # One validation of plain data builds the nested entries inside pydantic-core: a third
        # faster than constructing each DiagnosisEntry and LineEntry model from Python.
        return cls.model_validate(
            {
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
        )


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
