"""A real ``scrubber serve`` on loopback for the service tests (one per module that asks for it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bench.serving import Server
from tests.conftest import ROOT

DEMO = ROOT / "fixtures" / "examples" / "demo-claims.837"
AS_OF = "2026-12-01"


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with two workers, two clients and a 1 MiB body limit (the fixtures are a few KiB),
    shared by the service tests (they compare counters by difference and never rely on a fresh state)."""
    live = Server(tmp_path_factory.mktemp("serve"), workers=2, extra=["--max-body-mb", "1"]).start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="session")
def http(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=120) as client:
        yield client


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict:
    """The response is the one JSON error shape with this status (and machine code)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert isinstance(body["error"]["code"], str) and body["error"]["code"]
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]


def read(path: Path) -> bytes:
    return path.read_bytes()
