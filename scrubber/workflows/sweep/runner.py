"""One sweep: lock, recover, pick up, and for each ready file claim -> decide -> finish; then report.

Files are handled one at a time, each carried all the way to its final folder before the next
is claimed, so an interrupted run leaves at most one file in flight.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

import structlog

from scrubber.errors import SetupError
from scrubber.pipeline import Pipeline
from scrubber.workflows.setup import build_pipeline
from scrubber.workflows.sweep.context import Checkpoint, SweepContext, no_checkpoint
from scrubber.workflows.sweep.layout import Outbox
from scrubber.workflows.sweep.ledger import Ledger
from scrubber.workflows.sweep.lifecycle import ClaimError, claim, settle_finished
from scrubber.workflows.sweep.lock import sweep_lock
from scrubber.workflows.sweep.pickup import scan_inbox
from scrubber.workflows.sweep.recovery import complete, recover
from scrubber.workflows.sweep.reports import ReportSet, resolve_outputs
from scrubber.workflows.sweep.settings import SweepSettings
from scrubber.workflows.sweep.summary import RunSummary

log = structlog.get_logger("scrubber.workflows.sweep")


class SweepSetupError(SetupError):
    """The sweep cannot start (no inbox, unknown output, unusable outbox); nothing was touched."""


def make_pipeline(settings: SweepSettings) -> Pipeline:
    """The pipeline `scrubber check` would use: same configuration, reference data and structure check."""
    try:
        return build_pipeline(settings.config, structure=settings.structure, as_of=settings.as_of)
    except SetupError as error:
        raise SweepSetupError(str(error)) from None


def run_sweep(
    settings: SweepSettings,
    *,
    pipeline: Pipeline | None = None,
    checkpoint: Checkpoint = no_checkpoint,
    clock: Callable[[], float] = time.time,
) -> RunSummary:
    """Sweep the inbox once. Raises SweepLocked when another sweep holds the outbox."""
    started = time.perf_counter()
    if not settings.inbox.is_dir():
        raise SweepSetupError(f"inbox {settings.inbox} is not a folder")
    try:
        plan = resolve_outputs(settings.outputs, structure=settings.structure != "off")
    except ValueError as error:
        raise SweepSetupError(str(error)) from None
    pipeline = pipeline or make_pipeline(settings)
    outbox = Outbox(settings.outbox, settings.dir_mode)
    try:
        outbox.prepare()
    except OSError as error:
        raise SweepSetupError(f"outbox {settings.outbox}: {error.strerror or error}") from None
    with sweep_lock(settings.lock_path, settings.file_mode):
        try:
            ledger = Ledger(settings.ledger_path, settings.file_mode)
        except (OSError, sqlite3.Error) as error:
            raise SweepSetupError(f"ledger {settings.ledger_path}: {error}") from None
        ctx = SweepContext(
            settings=settings,
            ledger=ledger,
            outbox=outbox,
            reports=ReportSet(plan, settings.file_mode, on_claim=lambda: checkpoint("report.claim")),
            pipeline=pipeline,
            clock=clock,
            checkpoint=checkpoint,
        )
        try:
            _sweep(ctx)
            settle_finished(ctx)
        except (OSError, sqlite3.Error) as error:
            ctx.summary.stopped = f"{type(error).__name__}: {error}"
            log.error("sweep.stopped", error=ctx.summary.stopped)
        finally:
            ledger.close()
    summary = ctx.summary
    summary.seconds = round(time.perf_counter() - started, 3)
    log.info("sweep.run", **summary.as_log(), exit_code=summary.exit_code)
    return summary


def _sweep(ctx: SweepContext) -> None:
    recover(ctx)
    pickup = scan_inbox(ctx.settings.inbox, ctx.settings, ctx.clock())
    summary = ctx.summary
    summary.seen = pickup.seen
    for name, reason in sorted(pickup.waiting.items()):
        summary.waiting += 1
        log.info("sweep.file", file=name, outcome="waiting", reason=reason)
    limit = ctx.settings.max_files
    for index, candidate in enumerate(pickup.ready):
        if limit is not None and index >= limit:
            summary.waiting += 1
            log.info("sweep.file", file=candidate.name, outcome="waiting", reason="max files per run reached")
            continue
        try:
            entry = claim(ctx, candidate)
        except ClaimError as error:
            summary.unclaimable += 1
            log.error("sweep.claim_failed", file=candidate.name, error=str(error))
            continue
        if entry is None:
            summary.waiting += 1
            log.info("sweep.file", file=candidate.name, outcome="waiting", reason="changed while being claimed")
            continue
        complete(ctx, entry)
