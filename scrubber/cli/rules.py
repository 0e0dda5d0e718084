"""`scrubber rules [ID]`: the rule catalogue with configured severities, or one rule's page.

Like `ruff rule E501`: the page is the rule's docstring, so the documentation and the code that
enforces it live in one place.
"""

import json
from pathlib import Path
from typing import Annotated

import typer

from scrubber.config import ConfigError, load_settings
from scrubber.rules.registry import RuleRegistry
from scrubber.workflows.catalogue import catalogue_rows, rule_entry, rule_page


def _registry() -> RuleRegistry:
    from scrubber.rules.catalogue import default_registry

    return default_registry()


def _fail(message: str) -> typer.Exit:
    typer.echo(f"scrubber: error: {message}", err=True)
    return typer.Exit(2)


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
            typer.echo(json.dumps(rule_entry(registry, rule, settings, payer), indent=2))
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
