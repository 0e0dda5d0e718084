"""Drop-folder sweep for cron: pick up finished uploads, check them, file them, never twice.

Modules, one job each: ``settings`` (options), ``lock`` (one sweep per outbox), ``pickup`` (which
files are ready), ``ledger`` (SQLite memory), ``layout`` (folders and atomic moves), ``outputs``
(reports per file), ``lifecycle`` (claim / hand back / finish), ``process`` (decide one file),
``recovery`` (finish what a killed run left), ``runner`` (one run), ``command`` (the CLI).
"""

from scrubber.workflows.sweep.lock import SweepLocked
from scrubber.workflows.sweep.reports import register_output
from scrubber.workflows.sweep.runner import SweepSetupError, run_sweep
from scrubber.workflows.sweep.settings import SweepSettings
from scrubber.workflows.sweep.summary import RunSummary

__all__ = ["RunSummary", "SweepLocked", "SweepSettings", "SweepSetupError", "register_output", "run_sweep"]
