"""A real ``scrubber serve`` on loopback for the service tests (one per module that asks for it)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from bench.files import ensure_file
from bench.serving import Server
from tests.conftest import ROOT

DEMO = ROOT / "fixtures" / "examples" / "demo-claims.837"
AS_OF = "2026-12-01"
BIG_CLAIMS = 5000


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


@pytest.fixture(scope="session")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """BIG_CLAIMS generated claims (2 MB): a few seconds of work for one worker."""
    return ensure_file(tmp_path_factory.mktemp("bench"), BIG_CLAIMS).path.read_bytes()


def until(condition: Callable[[], object], timeout: float = 60.0, every: float = 0.1) -> None:
    """Poll ``condition`` until it is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every)
    raise AssertionError("the condition did not come true in time")


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
