"""The FastAPI application: routes, the one error shape, request logs and metrics, start-up and shut-down.

:func:`create_app` checks everything it can before serving (token file, configuration, data
folder) and raises :class:`~scrubber.errors.SetupError` with a one-line message when something is
wrong. The lifespan starts the worker pool, queues again the jobs a previous run left unfinished,
sweeps expired jobs, and reloads the token file on SIGHUP.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.metadata
import signal
import time
from collections.abc import AsyncIterator

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scrubber.config import load_settings
from scrubber.refdata.codesets.icd10 import CodeSets
from scrubber.rules.catalogue import default_registry
from scrubber.workflows.service import openapi, routes_check, routes_info
from scrubber.workflows.service.auth import TokenStore
from scrubber.workflows.service.errors import ApiError, code_for, error_document
from scrubber.workflows.service.jobs import JobStore
from scrubber.workflows.service.metrics import Metrics
from scrubber.workflows.service.pool import WorkerPool
from scrubber.workflows.service.settings import ServiceSettings
from scrubber.workflows.service.state import Service, prepare_dirs

log = structlog.get_logger("scrubber.service")

DESCRIPTION = (
    "The pre-submission gate of an X12 837P (005010X222A1) clearinghouse pipeline: POST a file, get the "
    "`scrubber.report/1` document (or a 999 / 277CA). Bearer tokens; errors are "
    '`{"error": {"code", "message"}}`.'
)


def create_app(settings: ServiceSettings, *, log_level: str = "info") -> FastAPI:
    """The application for ``settings`` (raises SetupError / ConfigError on a bad set-up)."""
    tokens = TokenStore(settings.token_file)
    registry = default_registry()
    rule_settings = load_settings(settings.config, registry)
    spool, jobs_dir = prepare_dirs(settings.state_dir)
    service = Service(
        settings=settings,
        tokens=tokens,
        registry=registry,
        rule_settings=rule_settings,
        code_sets=CodeSets.load(None, lazy=True),
        metrics=Metrics(),
        spool=spool,
        jobs=JobStore(jobs_dir, retention=settings.job_retention, idempotency_window=settings.idempotency_window),
        job_slots=asyncio.Semaphore(settings.worker_count),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGHUP, tokens.reload)
        pool = WorkerPool(
            settings.worker_count,
            str(settings.config) if settings.config else None,
            log_level,
            max_waiting=settings.max_waiting,
            on_restart=service.metrics.worker_restarts.inc,
        )
        service.metrics.watch(lambda: pool.pending, lambda: 1.0 if pool.ready else 0.0)
        service.pool = pool
        for job in service.jobs.recover():
            service.background(routes_check.run_job(service, job))
        service.background(_purge_loop(service))
        await pool.start()
        log.info("service.ready", host=settings.host, port=settings.port, workers=pool.workers, tokens=len(tokens))
        try:
            yield
        finally:
            loop.remove_signal_handler(signal.SIGHUP)
            for task in list(service.tasks):
                task.cancel()
            await asyncio.gather(*service.tasks, return_exceptions=True)
            await pool.close()
            log.info("service.stopped")

    app = FastAPI(
        title="scrubber",
        version=_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.service = service
    app.include_router(routes_check.router)
    app.include_router(routes_info.router)
    _install_error_handlers(app)
    openapi.install(app)
    app.add_middleware(AccessLog, service=service)
    return app


def _version() -> str:
    try:
        return importlib.metadata.version("scrubber")
    except importlib.metadata.PackageNotFoundError:
        return "0"


async def _purge_loop(service: Service) -> None:
    while True:
        await asyncio.sleep(service.settings.purge_every)
        try:
            service.jobs.purge()
        except OSError as error:
            log.error("jobs.purge_failed", reason=error.strerror or type(error).__name__)


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_document(code, message), status_code=status, headers=headers)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, error: ApiError) -> JSONResponse:
        return _error(error.status, error.code, error.message, error.headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        message = error.detail if isinstance(error.detail, str) else "request refused"
        return _error(error.status_code, code_for(error.status_code), message, dict(error.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        return _error(422, "invalid_request", _validation_message(error))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.error("request.error", path=request.url.path, error_type=type(error).__name__)
        return _error(500, "internal", "the request failed inside scrubber")


def _validation_message(error: RequestValidationError) -> str:
    """One line per refused parameter: where it is and what is wrong (never the value sent)."""
    parts = []
    for item in error.errors()[:5]:
        where = " ".join(str(p) for p in item.get("loc", ()))
        parts.append(f"{where}: {item.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


class AccessLog:
    """One ``http.request`` event per request, and the request metrics. Never the body, query or headers.

    Logged: method, the route template (``/v1/jobs/{job_id}``, not the path), status, bytes out,
    seconds, the client's token name and the claim count of a check.
    """

    def __init__(self, app: ASGIApp, service: Service) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        sent = 0

        async def counting(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, counting)
        finally:
            seconds = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            method = scope["method"]
            metrics = self.service.metrics
            metrics.requests.labels(method, route, str(status)).inc()
            metrics.latency.labels(route).observe(seconds)
            state = scope.get("state", {})
            log.info(
                "http.request",
                method=method,
                route=route,
                status=status,
                bytes_out=sent,
                seconds=round(seconds, 4),
                client=state.get("client", "-"),
                claims=state.get("claims"),
            )

