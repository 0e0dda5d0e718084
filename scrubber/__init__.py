"""scrubber: an X12 837P (005010X222A1) claim scrubber.

The library's entry points are :class:`Scrubber` and :func:`scrub` (see :mod:`scrubber.workflows.api`);
they are imported on first use, so ``import scrubber.x12`` stays light.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Scrubber", "scrub"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from scrubber.workflows import api

        return getattr(api, name)
    raise AttributeError(f"module 'scrubber' has no attribute {name!r}")
