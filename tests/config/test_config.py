"""scrubber.toml: discovery, strict validation with one-line errors, selection, context."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from scrubber.config import (
    ConfigError,
    ConfigSelection,
    Settings,
    build_context,
    find_config,
    load_config,
    load_settings,
)
from scrubber.findings import Severity
from scrubber.refdata.ncci.tables import NcciFileError
from scrubber.rules.base import RuleContext
from scrubber.rules.catalogue import default_registry
from scrubber.rules.engine import RuleEngine
from tests.builders import ClaimSpec, LineSpec, build_claim

KNOWN = default_registry()


def write(directory: Path, text: str, name: str = "scrubber.toml") -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def load(tmp_path: Path, text: str) -> Settings:
    return load_config(write(tmp_path, text), KNOWN)


def test_a_payer_override_changes_one_rules_severity_for_that_payer_only(tmp_path: Path) -> None:
    settings = load(tmp_path, '[payers."ACME1"]\nseverity = { PAIR001 = "error" }\n')
    engine = RuleEngine(
        default_registry(), build_context(Settings(), as_of=dt.date(2026, 10, 14)), ConfigSelection(settings)
    )

    def severities(payer: str) -> dict[str, Severity]:
        spec = ClaimSpec(
            diagnoses=["M62.81", "R91.1"],
            lines=[LineSpec("71250", charge="250.00", pointers=[1])],
            service_date=dt.date(2026, 10, 14),
            payer_id=payer,
        )
        return {f.rule: f.severity for f in engine.judge(build_claim(spec))}

    acme, other = severities("ACME1"), severities("OTHER")
    assert acme["PAIR001"] == Severity.ERROR
    assert other["PAIR001"] == Severity.WARNING
    assert acme["CLM003"] == other["CLM003"] == Severity.INFO  # other rules untouched


def test_selection_levels_prefixes_and_enable() -> None:
    settings = Settings()
    selection = ConfigSelection(settings)
    assert selection.is_enabled("NCCI001", "X") and selection.severity_for("CLM008", "X", Severity.WARNING) == "warning"


def test_disable_by_family_enable_by_code_and_payer_level_wins(tmp_path: Path) -> None:
    settings = load(
        tmp_path,
        """
[rules]
disable = ["NCCI"]
enable = ["NCCI002"]
severity = { CLM = "warning", CLM006 = "error" }

[payers.P1]
enable = ["NCCI001"]
disable = ["CLM003"]
severity = { CLM006 = "info" }
""",
    )
    selection = ConfigSelection(settings)
    assert not selection.is_enabled("NCCI001", "OTHER") and selection.is_enabled("NCCI002", "OTHER")
    assert selection.is_enabled("NCCI001", "P1") and not selection.is_enabled("CLM003", "P1")
    assert selection.is_enabled("CLM003", "OTHER")
    assert selection.severity_for("CLM001", "OTHER", Severity.ERROR) == Severity.WARNING
    assert selection.severity_for("CLM006", "OTHER", Severity.ERROR) == Severity.ERROR
    assert selection.severity_for("CLM006", "P1", Severity.ERROR) == Severity.INFO
    assert selection.severity_for("CLM001", "P1", Severity.ERROR) == Severity.WARNING  # falls back to [rules]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[rules]\ndisabel = ['CLM003']\n", "rules.disabel: unknown key"),
        ("[rules.severity]\nCLM008 = 'fatal'\n", "rules.severity.CLM008: Input should be 'error', 'warning' or 'info'"),
        ("[rules]\ndisable = ['CLM999']\n", "rules.disable[0]: 'CLM999' is not a rule code or family prefix"),
        ("[payers.P1.severity]\nZZZ001 = 'info'\n", "payers.P1.severity.ZZZ001: 'ZZZ001' is not a rule code"),
        ("[rules.options.CLM007]\nallow_zero = true\n", "rules.options.CLM007.allow_zero: unknown key"),
        ("[rules.options.CLM001]\nx = 1\n", "rules.options.CLM001: this rule has no options"),
        ("[ncci]\npath = 'x'\n", "ncci.path: unknown key"),
        ("[rules\n", "not valid TOML"),
    ],
)
def test_errors_name_the_file_and_the_key_in_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, KNOWN)
    text_of_error = str(caught.value)
    assert text_of_error.startswith(f"{path}: ") and message in text_of_error
    assert "\n" not in text_of_error


def test_discovery_order_explicit_then_cwd_then_xdg(tmp_path: Path) -> None:
    cwd, xdg = tmp_path / "work", tmp_path / "xdg"
    cwd.mkdir()
    user = write(xdg / "scrubber", "")
    env = {"XDG_CONFIG_HOME": str(xdg)}
    assert find_config(cwd=cwd, env=env) == user
    local = write(cwd, "")
    assert find_config(cwd=cwd, env=env) == local
    explicit = write(tmp_path, "", "other.toml")
    assert find_config(explicit, cwd=cwd, env=env) == explicit
    assert find_config(cwd=cwd, env={"XDG_CONFIG_HOME": str(tmp_path / "none")}) == local
    with pytest.raises(ConfigError, match="file not found"):
        find_config(tmp_path / "missing.toml")


def test_no_file_anywhere_means_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "none"))
    settings = load_settings()
    assert settings.source is None and settings.config.rules.disable == []


def test_context_loads_packs_relative_to_the_file_and_rule_options(tmp_path: Path) -> None:
    write(
        tmp_path / "packs",
        """
[pack]
name = "mine"
[[policy]]
id = "mine-1"
procedures = ["99213"]
supported = ["R05"]
effective_from = 2020-01-01
indications = "made up"
documentation = "made up"
[policy.citation]
source = "payer-policy"
publisher = "Me"
title = "Mine"
date = 2026-01-01
""",
        "mine.toml",
    )
    settings = load(
        tmp_path,
        """
[policies]
packs = ["packs/mine.toml"]
default_pack = false
[rules.options.CLM007]
allow_zero_charge = true
[ncci]
database = "nowhere/ncci.sqlite3"
""",
    )
    with pytest.raises(NcciFileError, match=r"ncci\.database"):
        build_context(settings)
    settings.config = settings.config.model_copy(
        update={"ncci": settings.config.ncci.model_copy(update={"database": None})}
    )
    ctx = build_context(settings, as_of=dt.date(2026, 1, 2))
    assert isinstance(ctx, RuleContext) and ctx.as_of == dt.date(2026, 1, 2)
    assert ctx.policies.packs == ["mine"] and ctx.policies.support_for("99213", dt.date(2026, 1, 2))
    assert set(ctx.options) == {"CLM007"} and ctx.options["CLM007"].allow_zero_charge is True
