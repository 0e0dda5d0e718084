"""Runs the enabled rules over one claim and applies configured severities."""

from __future__ import annotations

from typing import Protocol

import structlog

from scrubber.findings import Finding, Severity
from scrubber.model import Claim
from scrubber.rules.base import RuleContext
from scrubber.rules.registry import RuleRegistry

log = structlog.get_logger(__name__)


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
        self._claim_rules = [rule for rule in registry if not rule.emitted_by_parser]

    def check(self, claim: Claim) -> list[Finding]:
        findings: list[Finding] = []
        payer = claim.payer_id
        for rule in self._claim_rules:
            if not self.selection.is_enabled(rule.code, payer):
                continue
            for finding in rule.check(claim, self.context):
                finding.severity = self.selection.severity_for(rule.code, payer, finding.severity)
                findings.append(finding)
        return findings

    def adjust(self, finding: Finding, payer_id: str = "") -> Finding | None:
        """Apply configuration to a finding made outside the engine (parser, structure check)."""
        if not self.selection.is_enabled(finding.rule, payer_id):
            return None
        finding.severity = self.selection.severity_for(finding.rule, payer_id, finding.severity)
        return finding
