"""The errors scrubber reports to its users: one base class, a few kinds, each a one-line message.

Anything a user can cause (a file that is not X12, a bad configuration, an output that cannot be
written) raises a :class:`ScrubberError` whose ``str()`` is the whole message; front ends print it
without a traceback. Anything else is a bug.
"""

from __future__ import annotations


class ScrubberError(Exception):
    """Base of every error meant for the user; ``str()`` is the one-line message."""


class UnreadableInput(ScrubberError):
    """The input is not X12 at all, or cannot be opened. The message names the file and why."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


class SetupError(ScrubberError):
    """Configuration or reference data that cannot be used (bad scrubber.toml, missing tables)."""


class OutputError(ScrubberError):
    """An output could not be produced; the message says which and why."""
