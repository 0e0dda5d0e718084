"""What every step of a sweep shares: settings, ledger, outbox, reports, checker, clock, log.

``checkpoint`` is called with a step name between every durable step (and after each claim's
report lines); it does nothing in production. Crash tests pass one that SIGKILLs the process at
a chosen step, which is how "killed at any moment" is tested at every moment that matters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import structlog

from scrubber.pipeline import Pipeline
from scrubber.workflows.sweep.layout import Outbox
from scrubber.workflows.sweep.ledger import Entry, Ledger
from scrubber.workflows.sweep.reports import ReportSet
from scrubber.workflows.sweep.settings import SweepSettings
from scrubber.workflows.sweep.summary import RunSummary

Checkpoint = Callable[[str], None]


def no_checkpoint(_step: str) -> None:
    """Production: nothing to do between steps."""


@dataclass
class SweepContext:
    settings: SweepSettings
    ledger: Ledger
    outbox: Outbox
    reports: ReportSet
    pipeline: Pipeline
    clock: Callable[[], float]
    checkpoint: Checkpoint = no_checkpoint
    summary: RunSummary = field(default_factory=RunSummary)
    finished: list[Entry] = field(default_factory=list)  # moved to a final folder, 'done' not yet committed
    log: Any = field(default_factory=lambda: structlog.get_logger("scrubber.workflows.sweep"))
