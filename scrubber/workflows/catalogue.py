"""The rule catalogue as people read it: one row per rule, one rule's page, as the settings configure them.

Shared by ``scrubber rules`` and the HTTP service (``/v1/rules``), so both say the same thing; the
CLI prints it, the service returns it as JSON.
"""

from __future__ import annotations

from typing import Any

from scrubber.config import ConfigSelection, Settings
from scrubber.rules.base import IssueRule, Rule, StructureRule
from scrubber.rules.registry import RuleRegistry


def configured_severity(rule: Rule, selection: ConfigSelection, payer: str) -> str:
    """The severity a rule runs at for ``payer`` ('' = no payer override), or 'off'."""
    if not selection.is_enabled(rule.code, payer):
        return "off"
    return selection.severity_for(rule.code, payer, rule.severity).value


def catalogue_rows(registry: RuleRegistry, settings: Settings, payer: str = "") -> list[dict[str, str]]:
    """One row per rule: code, name, default and configured severity, one-line summary."""
    selection = ConfigSelection(settings)
    return [
        {
            "code": rule.code,
            "name": rule.name,
            "default": rule.severity.value,
            "severity": configured_severity(rule, selection, payer),
            "summary": rule.summary,
        }
        for rule in registry
    ]


def rule_entry(registry: RuleRegistry, rule: Rule, settings: Settings, payer: str = "") -> dict[str, Any]:
    """One rule as JSON: its catalogue row and its doc page (`scrubber rules ID --format json`)."""
    row = next(r for r in catalogue_rows(registry, settings, payer) if r["code"] == rule.code)
    return {**row, "doc": rule.doc()}


def rule_page(rule: Rule, settings: Settings, payer: str = "") -> str:
    """The text `scrubber rules ID` prints: title, severities, then the doc page."""
    severity = configured_severity(rule, ConfigSelection(settings), payer)
    configured = f"; configured: {severity}" if severity != rule.severity.value else ""
    where = f" for payer {payer}" if payer and configured else ""
    header = [
        f"{rule.code} {rule.name}",
        "",
        f"Default severity: {rule.severity.value}{configured}{where}",
        f"Summary: {rule.summary}",
    ]
    if isinstance(rule, IssueRule | StructureRule):
        header.append("Reported while the file is read (not by a claim check).")
    status = rule.status
    header.append(
        f"277CA status when it rejects: {status.category}:{status.code}"
        + (f":{status.entity}" if status.entity else "")
    )
    if rule.options is not None:
        header.append(f"Options ([rules.options.{rule.code}]):")
        for key, field in rule.options.model_fields.items():
            header.append(f"  {key} = {field.default!r}" + (f"  # {field.description}" if field.description else ""))
    return "\n".join([*header, "", rule.doc(), ""])
