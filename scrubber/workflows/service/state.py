"""What the application holds while it runs, and the dependencies routes ask for (the service, the client)."""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from scrubber.config import Settings
from scrubber.refdata.codesets.icd10 import CodeSets
from scrubber.rules.registry import RuleRegistry
from scrubber.workflows.service.auth import Client, TokenStore
from scrubber.workflows.service.errors import ApiError
from scrubber.workflows.service.jobs import JobStore
from scrubber.workflows.service.metrics import Metrics
from scrubber.workflows.service.pool import WorkerPool
from scrubber.workflows.service.settings import ServiceSettings

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="scrubber"'}
INVALID_TOKEN = {"WWW-Authenticate": 'Bearer realm="scrubber", error="invalid_token"'}


@dataclass
class Service:
    settings: ServiceSettings
    tokens: TokenStore
    registry: RuleRegistry
    rule_settings: Settings  # scrubber.toml as the rules catalogue shows it
    code_sets: CodeSets  # for /v1/codes lookups (years read on first use)
    metrics: Metrics
    spool: Path
    jobs: JobStore
    pool: WorkerPool | None = None
    job_slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(1))
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)

    def background(self, coroutine: Any) -> None:
        """Run a coroutine on its own, keeping a reference until it ends."""
        task = asyncio.get_running_loop().create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def workers(self) -> WorkerPool:
        if self.pool is None:
            raise ApiError(503, "not_ready", "the check workers are starting")
        return self.pool


def prepare_dirs(root: Path) -> tuple[Path, Path]:
    """The owner-only data folder, an empty spool folder in it, and the jobs folder."""
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    root.chmod(0o700)
    spool = root / "spool"
    shutil.rmtree(spool, ignore_errors=True)  # bodies and answers of requests a crash broke off
    spool.mkdir(mode=0o700)
    return spool, root / "jobs"


def service_of(request: Request) -> Service:
    return request.app.state.service  # type: ignore[no-any-return]


_bearer = HTTPBearer(auto_error=False, description="A token from the server's --token-file")


def client_of(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)  # noqa: B008
) -> Client:
    """The authenticated client of a request; 401 without a known bearer token."""
    token = credentials.credentials.strip() if credentials is not None else ""
    if not token:
        raise ApiError(401, "unauthorized", "send a bearer token: Authorization: Bearer TOKEN", headers=CHALLENGE)
    client = service_of(request).tokens.client_for(token)
    if client is None:
        raise ApiError(401, "unauthorized", "the bearer token is not valid", headers=INVALID_TOKEN)
    request.state.client = client.name
    known_query(request)
    return client


def known_query(request: Request) -> None:
    """422 for a query parameter the route does not take (a typo such as ``?formt=`` is not ignored)."""
    allowed = _query_names(request.scope.get("route"))
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        shown = ", ".join(repr(name[:40]) for name in unknown[:5])
        raise ApiError(422, "invalid_request", f"unknown query parameter {shown}")


_names: dict[int, frozenset[str]] = {}


def _query_names(route: Any) -> frozenset[str]:
    """The query parameters a route takes, its dependencies' included (worked out once per route)."""
    key = id(route)
    if key not in _names:
        found: set[str] = set()
        pending = [getattr(route, "dependant", None)]
        while pending:
            dependant = pending.pop()
            if dependant is None:
                continue
            found.update(param.alias for param in dependant.query_params)
            pending.extend(dependant.dependencies)
        _names[key] = frozenset(found)
    return _names[key]
