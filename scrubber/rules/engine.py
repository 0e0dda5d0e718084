"""Turns what was read into findings: parse issues (ENV), structure issues (X12) and the claim rules.

Configuration (which rules run, at which severity, per payer) is applied here, once, for every
kind of finding. One problem gets one finding: where the walker already reported an element (a
bad date in DTP03, a trailer count), the structure engine's finding at the same place is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Protocol

import structlog

from scrubber.findings import Finding, Found, Place, Severity
from scrubber.model import Claim, IssueKind, ParseIssue
from scrubber.rules import tr3
from scrubber.rules.base import IssueRule, Rule, RuleContext, StructureRule
from scrubber.rules.registry import RuleRegistry
from scrubber.structure.issues import StructureIssue

log = structlog.get_logger(__name__)

_TRAILER_KINDS = frozenset({IssueKind.COUNT, IssueKind.CONTROL, IssueKind.TRAILER})
_ENVELOPE_LEVELS = frozenset({"isa", "gs", "st"})

Check = Callable[[Claim, RuleContext], Iterator[Found]]  # a claim rule's bound check
_Severities = dict[Severity, Severity]  # a rule's severity -> the configured one, for one payer


class RuleSelection(Protocol):
    """Which rules run and how severe they are, possibly per payer (NM1*PR id)."""

    def is_enabled(self, code: str, payer_id: str) -> bool: ...

    def severity_for(self, code: str, payer_id: str, default: Severity) -> Severity: ...


class AllRulesAtDefaults:
    """Every rule on, at its catalogue severity."""

    def is_enabled(self, code: str, payer_id: str) -> bool:
        return True

    def severity_for(self, code: str, payer_id: str, default: Severity) -> Severity:
        return default


class RuleEngine:
    """Applies a registry of rules to claims. Reference data lives in the shared context."""

    def __init__(self, registry: RuleRegistry, context: RuleContext, selection: RuleSelection | None = None):
        self.registry = registry
        self.context = context
        self.selection = selection or AllRulesAtDefaults()
        self._claim_rules = [r for r in registry if not isinstance(r, IssueRule | StructureRule)]
        self._issue_rules: dict[IssueKind, Rule] = {
            kind: rule for rule in registry if isinstance(rule, IssueRule) for kind in rule.kinds
        }
        self._trailer_rules = frozenset(r.code for kind, r in self._issue_rules.items() if kind in _TRAILER_KINDS)
        # Configuration is fixed for the engine's life, so it is resolved once per payer: which
        # claim rules run and what each severity becomes, not once per claim, rule and finding.
        self._plans: dict[str, list[tuple[Check, _Severities | None]]] = {}
        self._allowed: dict[tuple[str, str], bool] = {}
        self._severities: dict[tuple[str, str, Severity], Severity] = {}

    def judge(self, claim: Claim, structure_issues: Sequence[StructureIssue] = ()) -> list[Found]:
        """Every finding on one claim: its parse issues, its structure issues, then the claim rules."""
        payer = claim.payer_id
        findings: list[Found] = []
        if claim.issues or structure_issues:
            parsed = [self.issue_finding(issue) for issue in claim.issues]
            said = _spots(parsed)
            findings = [f for f in (self._configured(f, payer) for f in parsed) if f is not None]
            for issue in structure_issues:
                finding = tr3.finding_for(issue)
                if _spot(finding) not in said and self._configured(finding, payer) is not None:
                    findings.append(finding)
        plan = self._plans.get(payer)
        if plan is None:
            plan = self._plans[payer] = self._plan(payer)
        context = self.context
        for check, severities in plan:
            if severities is None:
                findings.extend(check(claim, context))
                continue
            for finding in check(claim, context):
                finding.severity = severities[finding.severity]
                findings.append(finding)
        return findings

    def _plan(self, payer: str) -> list[tuple[Check, _Severities | None]]:
        """The claim rules a payer's claims run, each with its severity mapping (None: as the rule says)."""
        plan: list[tuple[Check, _Severities | None]] = []
        for rule in self._claim_rules:
            if not self.selection.is_enabled(rule.code, payer):
                continue
            severities = {default: self._severity(rule.code, payer, default) for default in Severity}
            changed = any(severity is not default for default, severity in severities.items())
            plan.append((rule.check, severities if changed else None))
        return plan

    def file_findings(self, issues: Iterable[ParseIssue]) -> list[Finding]:
        """Findings of parse issues that belong to no claim (envelopes, stray data), as report models."""
        return [f.model() for f in (self._configured(self.issue_finding(i), "") for i in issues) if f is not None]

    def structure_leftovers(
        self, issues: Iterable[tuple[int | None, StructureIssue]], already: Sequence[Finding | Found]
    ) -> list[Finding]:
        """File findings of the structure issues no claim held, given the file's findings so far.

        ``issues`` come in file order as (segment index, issue). An element the walker already
        reported, or an envelope trailer it reported a count, control number or missing trailer
        at, is not reported again by the structure engine: neither the trailer's envelope issues
        nor its segment-level ones (a stray IEA after the last one is ENV003, not also "IEA
        exceeded max count").
        """
        said = _spots(already)
        trailers = {f.location.segment for f in already if f.location is not None and f.rule in self._trailer_rules}
        found = []
        for index, issue in issues:
            finding = tr3.finding_for(issue)
            spot = _spot(finding)
            if index is not None and (
                spot in said or (index in trailers and (issue.level in _ENVELOPE_LEVELS or spot is None))
            ):
                continue
            if self._configured(finding, "") is not None:
                found.append(finding.model())
        return found

    def issue_finding(self, issue: ParseIssue) -> Found:
        """A parse issue as a finding of the ENV rule for its kind (severity not yet configured)."""
        rule = self._issue_rules[issue.kind]
        if issue.segment is not None:
            return rule.finding(issue.message, segment=issue.segment, element=issue.element, loop=issue.loop)
        finding = rule.finding(issue.message)
        finding.location = Place(0, 0, issue.line, issue.offset)
        return finding

    def _configured(self, finding: Found, payer: str) -> Found | None:
        """Apply configuration to a finding made outside the claim rules; None when its rule is off."""
        code = finding.rule
        key = (code, payer)
        allowed = self._allowed.get(key)
        if allowed is None:
            allowed = self._allowed[key] = self.selection.is_enabled(code, payer)
        if not allowed:
            return None
        finding.severity = self._severity(code, payer, finding.severity)
        return finding

    def _severity(self, code: str, payer: str, default: Severity) -> Severity:
        key = (code, payer, default)
        severity = self._severities.get(key)
        if severity is None:
            severity = self._severities[key] = self.selection.severity_for(code, payer, default)
        return severity


def _spot(finding: Finding | Found) -> tuple[int, str] | None:
    """(segment, element) of an element-level finding; None for segment-level ones."""
    location = finding.location
    return (location.segment, location.element) if location is not None and location.element else None


def _spots(findings: Iterable[Finding | Found]) -> set[tuple[int, str]]:
    return {spot for spot in map(_spot, findings) if spot is not None}
