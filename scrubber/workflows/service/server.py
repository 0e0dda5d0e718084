"""Run the application under uvicorn: one event loop in this process, the checks in the worker pool."""

from __future__ import annotations

import uvicorn

from scrubber.errors import SetupError
from scrubber.workflows.service.app import create_app
from scrubber.workflows.service.settings import ServiceSettings


def serve(settings: ServiceSettings, *, log_level: str = "info") -> None:
    """Serve until SIGINT or SIGTERM (in-flight requests finish first); SIGHUP reloads the tokens."""
    app = create_app(settings, log_level=log_level)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,  # uvicorn's own records go through scrubber's structlog set-up
        log_level=log_level,
        access_log=False,  # scrubber logs one http.request event per request, without query or body
        server_header=False,
        lifespan="on",
        timeout_graceful_shutdown=30,
    )
    server = uvicorn.Server(config)
    server.run()
    if not server.started:
        raise SetupError(f"the server did not start on {settings.host}:{settings.port}; the log above says why")
