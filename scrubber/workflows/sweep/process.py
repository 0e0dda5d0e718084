"""Deciding a claimed file: duplicate, or checked into reports; ISA13 reuse flagged; outcome recorded.

Everything here can be redone: reports are written under temporary names and renamed over any
left by an interrupted run, and nothing is recorded in the ledger until the reports are in place.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field

from scrubber.fsutil import fsync_dir
from scrubber.workflows.sweep.context import SweepContext
from scrubber.workflows.sweep.ledger import Entry, Result
from scrubber.workflows.sweep.lifecycle import NOTES_SUFFIX, hand_back
from scrubber.workflows.sweep.reports import CheckResult

_DAY = 86400.0


@dataclass
class Decision:
    outcome: str
    sha256: str
    check: CheckResult | None = None
    duplicate_of: Entry | None = None
    notes: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


def process(ctx: SweepContext, entry: Entry) -> bool:
    """Decide ``entry`` and record the result; False if the file was still changing (handed back)."""
    path = ctx.outbox.claimed(entry.base_name)
    if not _unchanged(path, entry):
        hand_back(ctx, entry)
        return False
    try:
        sha256 = file_sha256(path)
    except OSError as error:
        sha256, read_error = "", f"cannot be read: {error.strerror or error}"
    else:
        read_error = ""
    if not _unchanged(path, entry):
        hand_back(ctx, entry)
        return False
    decision = _decide(ctx, entry, sha256, read_error)
    if decision is None or not _unchanged(path, entry):  # written to while it was being checked
        hand_back(ctx, entry)
        return False
    ctx.checkpoint("process.reports")
    reports = list(decision.check.written) if decision.check else []
    if decision.notes:
        notes = ctx.outbox.report(entry.base_name, NOTES_SUFFIX)
        ctx.reports.write_notes(notes, decision.notes)
        reports.append(notes)
    fsync_dir(ctx.outbox.reports)  # the reports, and the claim's rename, are durable before the ledger
    fsync_dir(ctx.outbox.processing)  # says 'finishing' (a power cut cannot undo either after that)
    check = decision.check
    ctx.ledger.record_result(
        entry,
        Result(
            outcome=decision.outcome,
            sha256=decision.sha256,
            final_path=ctx.outbox.relative(ctx.outbox.final(decision.outcome, entry.base_name)),
            reports=[ctx.outbox.relative(path) for path in reports],
            claims=check.claims if check else None,
            accepted=check.accepted if check else None,
            rejected=check.rejected if check else None,
            duplicate_of=decision.duplicate_of.id if decision.duplicate_of else None,
            flags=decision.flags,
            note=" ".join(decision.notes),
            interchanges=sorted(check.interchanges) if check else (),
        ),
        ctx.clock(),
    )
    ctx.checkpoint("process.recorded")
    _log(ctx, entry, decision)
    return True


def _decide(ctx: SweepContext, entry: Entry, sha256: str, read_error: str) -> Decision | None:
    name = entry.original_name
    if read_error:
        written = ctx.reports.write_unreadable(name, read_error, ctx.outbox.reports, entry.base_name)
        check = CheckResult("failed", reason=read_error, written=written)
        return Decision("failed", sha256, check, notes=[f"{name}: {read_error}"])
    earlier = ctx.ledger.processed_before(sha256, entry)
    if earlier is not None:
        note = (
            f"{name}: same content (sha256 {sha256}) as {earlier.original_name}, claimed {earlier.claimed_at} "
            f"({earlier.outcome}, {earlier.final_path}); not checked again, moved to duplicates/{entry.base_name}."
        )
        return Decision("duplicate", sha256, duplicate_of=earlier, notes=[note])
    check = ctx.reports.check(
        ctx.pipeline, ctx.outbox.claimed(entry.base_name), name, ctx.outbox.reports, entry.base_name
    )
    if check.sha256 and check.sha256 != sha256:
        return None  # the content changed between hashing and checking: still being written
    decision = Decision("failed" if check.status == "failed" else check.status, sha256, check)
    if check.reason:
        decision.notes.append(f"{name}: could not be checked: {check.reason}")
    decision.notes += [f"{name}: {note}" for note in check.notes]
    since = ctx.clock() - ctx.settings.isa13_window_days * _DAY
    for sender, isa13 in sorted(check.interchanges):
        other = ctx.ledger.isa13_seen(sender, isa13, since, entry)
        if other is not None:
            if "isa13-reused" not in decision.flags:
                decision.flags.append("isa13-reused")
            decision.notes.append(
                f"{name}: ISA13 {isa13} from sender {sender} was already used by {other.original_name} "
                f"(claimed {other.claimed_at}); interchange control numbers must not repeat."
            )
            ctx.log.warning(
                "sweep.isa13_reused", file=name, sender_id=sender, isa13=isa13, earlier_file=other.original_name
            )
    return decision


def _log(ctx: SweepContext, entry: Entry, decision: Decision) -> None:
    check = decision.check
    fields: dict[str, object] = {
        "file": entry.original_name,
        "stored_as": ctx.outbox.relative(ctx.outbox.final(decision.outcome, entry.base_name)),
        "outcome": decision.outcome,
        "sha256": decision.sha256,
        "bytes": entry.size,
    }
    if check is not None:
        fields.update(claims=check.claims, accepted=check.accepted, rejected=check.rejected)
        fields["isa13"] = sorted({isa13 for _, isa13 in check.interchanges})
        if check.reason:
            fields["failure"] = "internal-error" if check.reason.startswith("internal error") else "unreadable"
    if decision.duplicate_of is not None:
        fields["duplicate_of"] = decision.duplicate_of.original_name
    if decision.flags:
        fields["flags"] = decision.flags
    ctx.log.info("sweep.file", **fields)


def _unchanged(path: os.PathLike[str], entry: Entry) -> bool:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return True  # nothing to compare; the caller's next step reports the missing file
    return (info.st_size, info.st_mtime_ns) == (entry.size, entry.mtime_ns)


def file_sha256(path: os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
