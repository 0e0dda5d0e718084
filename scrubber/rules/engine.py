"""Runs the enabled rules over one claim and applies configured severities."""

from __future__ import annotations

from typing import Protocol

import structlog

from scrubber.findings import Finding, Severity
from scrubber.model import Claim
from scrubber.rules.base import Rule, RuleContext
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
        # Configuration is fixed for the engine's life, so its answers are looked up once per
        # payer (and severity per rule, payer and default) instead of once per claim and rule.
        self._enabled: dict[str, list[Rule]] = {}
        self._severities: dict[tuple[str, str, Severity], Severity] = {}

    def check(self, claim: Claim) -> list[Finding]:
        findings: list[Finding] = []
        payer = claim.payer_id
        rules = self._enabled.get(payer)
        if rules is None:
            rules = self._enabled[payer] = [r for r in self._claim_rules if self.selection.is_enabled(r.code, payer)]
        context = self.context
        for rule in rules:
            for finding in rule.check(claim, context):
                severity = self._severity(rule.code, payer, finding.severity)
                if severity is not finding.severity:  # a pydantic attribute write costs; most keep theirs
                    finding.severity = severity
                findings.append(finding)
        return findings

    def _severity(self, code: str, payer: str, default: Severity) -> Severity:
        key = (code, payer, default)
        severity = self._severities.get(key)
        if severity is None:
            severity = self._severities[key] = self.selection.severity_for(code, payer, default)
        return severity

    def adjust(self, finding: Finding, payer_id: str = "") -> Finding | None:
        """Apply configuration to a finding made outside the engine (parser, structure check)."""
        if not self.selection.is_enabled(finding.rule, payer_id):
            return None
        finding.severity = self.selection.severity_for(finding.rule, payer_id, finding.severity)
        return finding
