"""Claiming a file, handing it back, and finishing it: the moves that the ledger brackets.

Order is everything. A ledger row is committed before the file moves and updated after, so at
every instant the pair (row state, where the file is) tells a later run what happened:
claim = row 'claimed' -> rename into processing/;
finish = outcome and reports recorded ('finishing') -> rename into the final folder -> 'done'
(the last step is batched: one fsync of the folders and one commit for many files).
"""

from __future__ import annotations

import contextlib
import os

from scrubber.workflows.sweep.context import SweepContext
from scrubber.workflows.sweep.layout import ChangedDuringMove, move, put_back
from scrubber.workflows.sweep.ledger import Entry
from scrubber.workflows.sweep.pickup import Candidate, marker_for

NOTES_SUFFIX = ".notes.txt"  # reports/BASE.notes.txt: what the sweep has to say about a file
DONE_BATCH = 64  # files marked done per folder fsync and ledger commit


class ClaimError(Exception):
    """The file could not be moved out of the inbox (permissions, say); it stays where it was."""


def claim(ctx: SweepContext, candidate: Candidate) -> Entry | None:
    """Move a ready file into processing/ under a ledger row; None if it changed or vanished."""
    try:
        info = os.stat(candidate.path, follow_symlinks=False)
    except FileNotFoundError:
        return None
    if (info.st_size, info.st_mtime_ns) != (candidate.size, candidate.mtime_ns):
        return None  # written to since it was judged ready: next run
    entry = ctx.ledger.begin_claim(candidate.name, info.st_size, info.st_mtime_ns, ctx.clock(), ctx.outbox.taken)
    ctx.checkpoint("claim.recorded")
    try:
        move(
            candidate.path, ctx.outbox.claimed(entry.base_name), expect=(info.st_size, info.st_mtime_ns), durable=False
        )
    except (FileNotFoundError, ChangedDuringMove):
        ctx.ledger.forget(entry)
        return None
    except OSError as error:
        ctx.ledger.forget(entry)
        raise ClaimError(f"{candidate.name}: cannot be moved out of the inbox: {error.strerror or error}") from None
    ctx.checkpoint("claim.moved")
    drop_marker(ctx, entry)
    return entry


def drop_marker(ctx: SweepContext, entry: Entry) -> None:
    """The file is claimed: its done marker (if any) has served."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(marker_for(ctx.settings.inbox / entry.original_name))


def hand_back(ctx: SweepContext, entry: Entry) -> None:
    """Return a claimed file to the inbox (it was still changing) and forget the claim."""
    put_back(ctx.outbox.claimed(entry.base_name), ctx.settings.inbox / entry.original_name)
    notes = ctx.outbox.report(entry.base_name, NOTES_SUFFIX)
    for path in [*ctx.reports.paths(ctx.outbox.reports, entry.base_name), notes]:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
    ctx.ledger.forget(entry)


def finish(ctx: SweepContext, entry: Entry) -> None:
    """Move a file whose outcome is recorded into its final folder; 'done' follows in a batch."""
    assert entry.outcome is not None
    source = ctx.outbox.claimed(entry.base_name)
    target = ctx.outbox.final(entry.outcome, entry.base_name)
    if source.exists():
        move(source, target, durable=False)
        ctx.checkpoint("finish.moved")
    elif not target.exists():
        ctx.log.error("sweep.file_missing", file=entry.original_name, stored_as=entry.base_name, state=entry.state)
    ctx.finished.append(entry)
    if len(ctx.finished) >= DONE_BATCH:
        settle_finished(ctx)


def settle_finished(ctx: SweepContext) -> None:
    """Make the finished moves durable (one fsync per folder), then mark their rows done."""
    if not ctx.finished:
        return
    ctx.outbox.sync()
    ctx.ledger.mark_done(ctx.finished, ctx.clock())
    ctx.finished.clear()
    ctx.checkpoint("finish.done")
