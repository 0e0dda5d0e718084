"""Finishing or rolling back what a killed run left, before anything new is picked up.

Runs under the lock, so nothing else is moving files in the outbox. For each unfinished ledger
row, the row's state and where its file is decide:

- 'claimed', file not in processing/: the move never happened; forget the row, the file is
  still in the inbox and is picked up as usual.
- 'claimed', file in processing/: decide it again from the start (half-written reports are
  replaced). Across file systems the inbox original may still be there too: it is removed if it
  is the same upload (the copy in processing/ was complete before it was renamed there).
- 'finishing': move it to its final folder (if it is not there yet) and mark it done.

Temporary files (reports or copies cut off mid-write) are removed first, and a file in
processing/ that no row knows (a replaced ledger) is claimed as it is.
"""

from __future__ import annotations

import contextlib
import os

from scrubber.workflows.sweep.context import SweepContext
from scrubber.workflows.sweep.layout import TEMP_PREFIX
from scrubber.workflows.sweep.ledger import Entry
from scrubber.workflows.sweep.lifecycle import drop_marker, finish, settle_finished
from scrubber.workflows.sweep.process import process


def recover(ctx: SweepContext) -> None:
    """Bring every interrupted file to a final folder (or back to the inbox)."""
    removed = ctx.outbox.clear_temporaries()
    if removed:
        ctx.log.info("sweep.temporaries_removed", count=removed)
    for entry in ctx.ledger.unfinished():
        complete(ctx, entry, recovered=True)
    for entry in _orphans(ctx):
        complete(ctx, entry, recovered=True)
    settle_finished(ctx)


def complete(ctx: SweepContext, entry: Entry, *, recovered: bool = False) -> None:
    """Take ``entry`` from whatever state it is in to a final folder (or back to the inbox)."""
    if entry.state == "claimed" and recovered:
        if not ctx.outbox.claimed(entry.base_name).exists():
            ctx.ledger.forget(entry)
            return
        _drop_inbox_original(ctx, entry)
        drop_marker(ctx, entry)
    if entry.state == "claimed" and not process(ctx, entry):
        ctx.summary.waiting += 1
        return
    if entry.state == "finishing":
        finish(ctx, entry)
    if entry.outcome is not None:
        ctx.summary.count(entry.outcome)
        if recovered:
            ctx.summary.recovered += 1
            ctx.log.info("sweep.recovered", file=entry.original_name, outcome=entry.outcome)


def _drop_inbox_original(ctx: SweepContext, entry: Entry) -> None:
    """A cross-file-system claim was cut off after the copy: remove the inbox original."""
    original = ctx.settings.inbox / entry.original_name
    claimed = ctx.outbox.claimed(entry.base_name)
    with contextlib.suppress(FileNotFoundError):
        info = os.stat(original, follow_symlinks=False)
        if os.path.samefile(original, claimed):
            return
        if (info.st_size, info.st_mtime_ns) == (entry.size, entry.mtime_ns):
            os.unlink(original)


def _orphans(ctx: SweepContext) -> list[Entry]:
    entries = []
    with os.scandir(ctx.outbox.processing) as found:
        names = sorted(e.name for e in found if not e.name.startswith(TEMP_PREFIX) and e.is_file())
    for name in names:
        if ctx.ledger.knows_base(name):
            continue  # a row in another state handles it (or it is a leftover of a finished row)
        info = os.stat(ctx.outbox.claimed(name))
        entries.append(ctx.ledger.register_orphan(name, info.st_size, info.st_mtime_ns, ctx.clock()))
        ctx.log.warning("sweep.orphan_claimed", file=name)
    return entries
