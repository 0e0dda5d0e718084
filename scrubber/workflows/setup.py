"""Everything loaded once per process before the first claim: configuration, rules, reference data.

One place builds the rule engine, so the CLI, the sweep and library callers judge claims alike:
the configured rule selection, the ICD-10-CM code sets (each fiscal year read on first use), the
pairing policy packs and any imported NCCI tables.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from scrubber.config import ConfigError, ConfigSelection, Settings, build_context, load_settings
from scrubber.refdata.codesets.icd10 import CodeSetError, CodeSets
from scrubber.refdata.ncci.tables import NcciFileError
from scrubber.refdata.policies.loader import PolicyPackError
from scrubber.rules.catalogue import default_registry
from scrubber.rules.engine import RuleEngine

# Problems with the user's set-up: reported in one line, exit 2, never a traceback.
SETUP_ERRORS = (ConfigError, CodeSetError, PolicyPackError, NcciFileError)


def build_engine(
    config: Path | None = None,
    *,
    as_of: dt.date | None = None,
    settings: Settings | None = None,
    code_set_dir: Path | None = None,
) -> RuleEngine:
    """The engine for a run: ``config`` (or the default locations, or defaults) and all reference data."""
    settings = settings if settings is not None else load_settings(config)
    context = build_context(settings, as_of)
    context.icd10 = CodeSets.load(code_set_dir, lazy=True)
    return RuleEngine(default_registry(), context, ConfigSelection(settings))


def default_engine(as_of: dt.date | None = None) -> RuleEngine:
    """Every rule at its default severity with the bundled reference data; no configuration file read."""
    return build_engine(settings=Settings(), as_of=as_of)
