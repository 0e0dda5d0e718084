"""Exit codes of `scrubber check` (a contract: pipelines branch on them)."""

from __future__ import annotations

EXIT_ACCEPTED = 0  # every claim accepted (warnings allowed)
EXIT_REJECTED = 1  # at least one claim or file rejected
EXIT_UNREADABLE = 2  # a file could not be read as X12 at all, a set-up error, or a usage error


def exit_code(status: str) -> int:
    """A file's exit code from its status: unreadable 2, rejected 1, accepted 0."""
    return {"unreadable": EXIT_UNREADABLE, "rejected": EXIT_REJECTED}.get(status, EXIT_ACCEPTED)
