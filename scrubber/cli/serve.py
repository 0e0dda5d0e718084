"""``scrubber serve``: the HTTP API for a clearinghouse's pre-submission gate (needs ``scrubber[server]``)."""

import logging
from pathlib import Path
from typing import Annotated

import typer

from scrubber.errors import SetupError
from scrubber.exitcodes import EXIT_UNREADABLE


def _fail(message: str) -> typer.Exit:
    typer.echo(f"scrubber: error: {message}", err=True)
    return typer.Exit(EXIT_UNREADABLE)


def serve_command(
    token_file: Annotated[
        Path, typer.Option("--token-file", help="Bearer tokens, one 'NAME TOKEN' a line (owner-only; SIGHUP reloads).")
    ],
    host: Annotated[str, typer.Option(help="Address to listen on (put a TLS proxy in front for other hosts).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8837,
    workers: Annotated[int, typer.Option(min=0, help="Check processes (0: one per CPU).")] = 0,
    max_body_mb: Annotated[int, typer.Option(min=1, help="Largest request body, in MiB (413 above it).")] = 50,
    max_waiting: Annotated[
        int, typer.Option(min=0, help="Checks waiting for a busy worker before POST /v1/check answers 503 busy.")
    ] = 256,
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="scrubber.toml (default: the usual locations).")
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(help="Job data and spooled bodies, owner-only (default: $XDG_STATE_HOME/scrubber/serve)."),
    ] = None,
    job_retention_hours: Annotated[
        float, typer.Option(min=0.0, help="Hours a finished job's report is kept before it is removed.")
    ] = 24.0,
    purge_interval: Annotated[
        float, typer.Option(min=0.1, hidden=True, help="Seconds between sweeps of expired jobs (tests).")
    ] = 60.0,
) -> None:
    """Serve the HTTP API: POST /v1/check, /v1/jobs, /v1/rules, /v1/codes, /healthz, /readyz, /metrics."""
    try:
        from scrubber.workflows.service.server import serve
        from scrubber.workflows.service.settings import ServiceSettings
    except ImportError as error:
        raise _fail(f"scrubber serve needs the server extra: pip install 'scrubber[server]' ({error})") from None
    settings = ServiceSettings(
        token_file=token_file,
        host=host,
        port=port,
        workers=workers,
        max_body_bytes=max_body_mb * 1024 * 1024,
        max_waiting=max_waiting,
        config=config,
        data_dir=data_dir,
        job_retention=job_retention_hours * 3600,
        purge_every=purge_interval,
    )
    level = logging.getLevelName(logging.getLogger().getEffectiveLevel()).lower()
    try:
        serve(settings, log_level=level)
    except SetupError as error:
        raise _fail(str(error)) from None
