"""`scrubber rules [ID]`: the rule catalogue with configured severities, or one rule's page.

Like `ruff rule E501`: the page is the rule's docstring, so the documentation and the code that
enforces it live in one place.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from scrubber.config import ConfigError, ConfigSelection, Settings, load_settings
from scrubber.rules.base import IssueRule, Rule, StructureRule
from scrubber.rules.registry import RuleRegistry


def _registry() -> RuleRegistry:
    from scrubber.rules.catalogue import default_registry

    return default_registry()


def _fail(message: str) -> typer.Exit:
    typer.echo(f"scrubber: error: {message}", err=True)
    return typer.Exit(2)


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


def rules_command(
    rule_id: Annotated[str | None, typer.Argument(metavar="ID", help="Explain one rule, e.g. CLM006.")] = None,
    config: Annotated[Path | None, typer.Option("--config", help="scrubber.toml to read severities from.")] = None,
    payer: Annotated[str, typer.Option("--payer", help="Show severities as configured for this payer id.")] = "",
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """List the rules with their configured severities, or explain one rule."""
    if fmt not in ("text", "json"):
        raise _fail(f"--format must be text or json, not {fmt!r}")
    registry = _registry()
    try:
        settings = load_settings(config, registry)
    except ConfigError as error:
        raise _fail(str(error)) from None
    if rule_id is not None:
        rule = registry.get(rule_id.strip())
        if rule is None:
            raise _fail(f"no rule {rule_id!r}; `scrubber rules` lists them")
        if fmt == "json":
            row = next(r for r in catalogue_rows(registry, settings, payer) if r["code"] == rule.code)
            typer.echo(json.dumps({**row, "doc": rule.doc()}, indent=2))
        else:
            typer.echo(rule_page(rule, settings, payer), nl=False)
        return
    rows = catalogue_rows(registry, settings, payer)
    if fmt == "json":
        typer.echo(json.dumps(rows, indent=2))
        return
    width = max((len(r["name"]) for r in rows), default=4)
    for row in rows:
        marker = "" if row["severity"] == row["default"] else f" (default {row['default']})"
        typer.echo(f"{row['code']:<8} {row['name']:<{width}}  {row['severity']:<7}  {row['summary']}{marker}")
