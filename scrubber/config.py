"""scrubber.toml: which rules run, how severe they are (per payer too), and where data lives.

Found by ``--config``, else ``./scrubber.toml``, else ``$XDG_CONFIG_HOME/scrubber/scrubber.toml``
(``~/.config`` when unset). Every table rejects unknown keys, and an error names the file, the
key and what is wrong in one line, because a silently ignored typo in a severity override is a
claim that goes out wrong.

    [rules]
    disable = ["CLM003"]                 # codes or family prefixes ("NCCI")
    severity = { CLM008 = "error" }
    [rules.options.CLM007]
    allow_zero_charge = true
    [payers."60054"]                     # NM1*PR identifier (claim.payer_id)
    severity = { PAIR001 = "error" }
    disable = ["CLM008"]
    [policies]
    packs = ["policies/acme.toml"]       # relative to this file
    coverage_database = "coverage.sqlite3"   # imported CMS articles (default: beside the NCCI database)
    [policies.coverage]
    payers = ["MEDICARE01"]              # claims the Medicare articles judge (default: every payer)
    [ncci]
    database = "~/.local/share/scrubber/ncci.sqlite3"
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from scrubber.findings import Severity
from scrubber.refdata.coverage import DATABASE_NAME as COVERAGE_DATABASE_NAME
from scrubber.refdata.coverage import CoverageDataError, CoverageRules, open_store
from scrubber.refdata.ncci.store import NcciTables, default_database_path, open_tables
from scrubber.refdata.ncci.tables import NcciFileError
from scrubber.refdata.policies.errors import TomlFileError, describe_validation_error, read_toml
from scrubber.refdata.policies.loader import load_policies
from scrubber.rules.base import RuleContext, RuleOptions
from scrubber.rules.catalogue import default_registry
from scrubber.rules.registry import RuleRegistry

CONFIG_NAME = "scrubber.toml"
_CODE = re.compile(r"^[A-Z]+[0-9]*$")


class ConfigError(TomlFileError):
    """A configuration that cannot be used; ``str()`` is the one-line message."""


def _rule_code(value: str) -> str:
    code = value.strip().upper()
    if not _CODE.match(code):
        raise ValueError(f"{value!r} is not a rule code or family prefix (e.g. CLM008 or NCCI)")
    return code


RuleCode = Annotated[str, AfterValidator(_rule_code)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Switches(_Strict):
    """Turning rules off or on and changing their severity, globally or for one payer."""

    disable: list[RuleCode] = []
    enable: list[RuleCode] = []
    severity: dict[RuleCode, Severity] = {}


class RulesConfig(Switches):
    options: dict[RuleCode, dict[str, Any]] = {}


class CoverageConfig(_Strict):
    """Imported CMS coverage articles: which payers' claims they judge (None: every payer)."""

    payers: list[str] | None = None


class PoliciesConfig(_Strict):
    default_pack: bool = True
    packs: list[Path] = []
    coverage_database: Path | None = None  # default: coverage.sqlite3 beside the NCCI database
    coverage: CoverageConfig = CoverageConfig()


class NcciConfig(_Strict):
    database: Path | None = None  # default: $XDG_DATA_HOME/scrubber/ncci.sqlite3


class ScrubberConfig(_Strict):
    rules: RulesConfig = RulesConfig()
    payers: dict[str, Switches] = {}
    policies: PoliciesConfig = PoliciesConfig()
    ncci: NcciConfig = NcciConfig()


@dataclass(slots=True)
class Settings:
    """A validated configuration and the file it came from (None: built-in defaults)."""

    config: ScrubberConfig = field(default_factory=ScrubberConfig)
    source: Path | None = None
    options: dict[str, RuleOptions] = field(default_factory=dict)  # validated per-rule options

    def resolve(self, path: Path) -> Path:
        """``path`` with ``~`` expanded, relative to the config file's directory."""
        path = path.expanduser()
        if path.is_absolute() or self.source is None:
            return path
        return self.source.parent / path


def find_config(
    explicit: Path | None = None, cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> Path | None:
    """The configuration file to use, or None when there is none (defaults apply)."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: file not found")
        return explicit
    env = os.environ if env is None else env
    local = (cwd or Path.cwd()) / CONFIG_NAME
    if local.is_file():
        return local
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    user = Path(base) / "scrubber" / CONFIG_NAME
    return user if user.is_file() else None


def load_config(path: Path, registry: RuleRegistry | None = None) -> Settings:
    """Read and validate one file against the rules of ``registry`` (default: the catalogue)."""
    registry = registry if registry is not None else default_registry()
    try:
        data = read_toml(path)
    except TomlFileError as exc:
        raise ConfigError(str(exc)) from None
    try:
        config = ScrubberConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(path, exc)) from None
    options: dict[str, RuleOptions] = {}
    for code, values in config.rules.options.items():
        rule = registry.get(code)
        model = rule.options if rule is not None else None
        if model is None:
            what = "this rule has no options" if rule is not None else "no such rule"
            raise ConfigError(f"{path}: rules.options.{code}: {what}")
        try:
            options[code] = model.model_validate(values)
        except ValidationError as exc:
            raise ConfigError(
                describe_validation_error(path, exc).replace(f"{path}: ", f"{path}: rules.options.{code}.", 1)
            ) from None
    _check_codes(path, config, {rule.code for rule in registry})
    return Settings(config=config, source=path, options=options)


def _check_codes(path: Path, config: ScrubberConfig, known: set[str]) -> None:
    """Every code or prefix in the file must name at least one rule."""
    levels: list[tuple[str, Switches]] = [("rules", config.rules)]
    levels += [(f"payers.{payer}", switches) for payer, switches in config.payers.items()]
    for where, switches in levels:
        for key, codes in (
            ("disable", switches.disable),
            ("enable", switches.enable),
            ("severity", list(switches.severity)),
        ):
            for index, code in enumerate(codes):
                if not any(k.startswith(code) for k in known):
                    at = f"{key}.{code}" if key == "severity" else f"{key}[{index}]"
                    raise ConfigError(f"{path}: {where}.{at}: {code!r} is not a rule code or family prefix")


def load_settings(explicit: Path | None = None, registry: RuleRegistry | None = None) -> Settings:
    """The configuration the run uses: ``explicit``, else the default locations, else defaults."""
    path = find_config(explicit)
    if path is None:
        return Settings()
    return load_config(path, registry)


def _most_specific(code: str, entries: Iterable[str]) -> int:
    """Length of the longest entry that is a prefix of ``code`` (0: none)."""
    return max((len(e) for e in entries if code.startswith(e)), default=0)


class ConfigSelection:
    """The engine's RuleSelection from a configuration: payer settings first, then global ones.

    Within one level the most specific entry wins (``CLM008`` over ``CLM``), and ``enable`` wins
    a tie, so ``disable = ["NCCI"]`` with ``enable = ["NCCI002"]`` keeps only the MUE edit.
    """

    def __init__(self, settings: Settings):
        self.config = settings.config

    def _levels(self, payer_id: str) -> list[Switches]:
        payer = self.config.payers.get(payer_id)
        return [payer, self.config.rules] if payer is not None else [self.config.rules]

    def is_enabled(self, code: str, payer_id: str) -> bool:
        for switches in self._levels(payer_id):
            off, on = _most_specific(code, switches.disable), _most_specific(code, switches.enable)
            if off or on:
                return on >= off
        return True

    def severity_for(self, code: str, payer_id: str, default: Severity) -> Severity:
        for switches in self._levels(payer_id):
            best = _most_specific(code, switches.severity)
            if best:
                return next(s for k, s in switches.severity.items() if len(k) == best and code.startswith(k))
        return default


def ncci_database(settings: Settings) -> tuple[Path, bool]:
    """The NCCI database path and whether the configuration named it explicitly."""
    configured = settings.config.ncci.database
    if configured is None:
        return default_database_path(), False
    return settings.resolve(configured), True


def coverage_database(settings: Settings) -> tuple[Path, bool]:
    """The coverage article store and whether the configuration named it explicitly."""
    configured = settings.config.policies.coverage_database
    if configured is None:
        return ncci_database(settings)[0].with_name(COVERAGE_DATABASE_NAME), False
    return settings.resolve(configured), True


def _coverage_rules(settings: Settings) -> CoverageRules | None:
    """Imported coverage articles, when there are some (an explicitly configured store must exist)."""
    database, explicit = coverage_database(settings)
    if not database.is_file() and not explicit:
        return None
    try:
        return CoverageRules(open_store(database), settings.config.policies.coverage.payers)
    except CoverageDataError as exc:
        where = f"{settings.source}: policies.coverage_database: " if explicit else ""
        raise ConfigError(f"{where}{exc}") from None


def build_context(settings: Settings, as_of: dt.date | None = None) -> RuleContext:
    """The RuleContext for a run: policies, NCCI tables and rule options (ICD-10 is filled elsewhere)."""
    packs = [settings.resolve(p) for p in settings.config.policies.packs]
    policies = load_policies(packs, include_default=settings.config.policies.default_pack)
    database, explicit = ncci_database(settings)
    tables: NcciTables | None = None
    if database.is_file():
        tables = open_tables(database)
    elif explicit:
        raise NcciFileError(f"{settings.source}: ncci.database: {database} does not exist (run `scrubber ncci import`)")
    return RuleContext(
        as_of=as_of or dt.date.today(),
        policies=policies,
        ncci=tables,
        coverage=_coverage_rules(settings),
        options=dict(settings.options),
    )
