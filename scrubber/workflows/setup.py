"""Everything loaded once per process before the first claim: configuration, rules, reference data.

One place builds the rule engine and the pipeline, so the CLI, the sweep, the library, the HTTP
service and Spark executors judge claims alike: the configured rule selection, the ICD-10-CM code
sets (each fiscal year read on first use), the pairing policy packs and any imported NCCI tables.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from scrubber.config import ConfigSelection, Settings, build_context, load_settings
from scrubber.pipeline import Pipeline, StructureMode
from scrubber.refdata.codesets.icd10 import CodeSets
from scrubber.rules.catalogue import default_registry
from scrubber.rules.engine import RuleEngine
from scrubber.structure.native import NativeValidator


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


def build_pipeline(
    config: Path | None = None,
    *,
    structure: StructureMode = "native",
    as_of: dt.date | None = None,
    settings: Settings | None = None,
) -> Pipeline:
    """The pipeline for a run: the engine of :func:`build_engine` and the chosen structure check."""
    engine = build_engine(config, as_of=as_of, settings=settings)
    return Pipeline(engine, structure, native=NativeValidator if structure == "native" else None)


def default_engine(as_of: dt.date | None = None) -> RuleEngine:
    """Every rule at its default severity with the bundled reference data; no configuration file read."""
    return build_engine(settings=Settings(), as_of=as_of)
