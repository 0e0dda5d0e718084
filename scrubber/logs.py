"""structlog set-up: JSON lines for machines, readable lines on a terminal, never PHI.

Configured once, by the CLI (or by an embedding application calling :func:`configure_logging`).
Events carry file names, control numbers and counts. As a guard against a careless call site,
:func:`drop_phi` removes keys that name patient data before anything is rendered.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

import structlog

PHI_KEYS = frozenset(
    {
        "patient",
        "patient_name",
        "name",
        "first_name",
        "last_name",
        "member_id",
        "subscriber_id",
        "birth_date",
        "dob",
        "date_of_birth",
        "ssn",
        "address",
        "segment_text",
        "segment",
    }
)


def drop_phi(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    """structlog processor: replace values of PHI-named keys with a marker."""
    for key in PHI_KEYS.intersection(event):
        event[key] = "[redacted]"
    return event


def configure_logging(level: str = "info", stream: TextIO | None = None, json: bool | None = None) -> None:
    """Send structlog events (and stdlib logging, e.g. pyx12's) to ``stream`` (stderr by default)."""
    stream = stream or sys.stderr
    as_json = (not stream.isatty()) if json is None else json
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        raise ValueError(f"unknown log level {level!r}")
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        drop_phi,
    ]
    renderer: Any = structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        # One write per event (line and newline together): processes that share a log file (the
        # service's workers, PYTHONUNBUFFERED) cannot splice a line of theirs into another's.
        logger_factory=structlog.WriteLoggerFactory(stream),
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
            foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric)
