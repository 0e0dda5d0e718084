"""Operating the server: token reload on SIGHUP, job retention, a worker killed mid-request, shutdown."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bench.serving import Server
from tests.service.conftest import BIG_CLAIMS, DEMO, assert_error, until

BODY = DEMO.read_bytes()


@pytest.fixture(scope="module")
def ops(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server whose finished jobs expire at once (retention 0, swept every 0.2 s)."""
    live = Server(
        tmp_path_factory.mktemp("ops"), workers=2, extra=["--job-retention-hours", "0", "--purge-interval", "0.2"]
    ).start()
    try:
        yield live
    finally:
        live.stop()


def status(server: Server, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.get(f"{server.url}/v1/rules/CLM001", headers=headers, timeout=30).status_code


def test_sighup_reloads_the_token_file(ops: Server) -> None:
    old = ops.tokens["client2"]
    new = "rotated-" + "n" * 24
    assert status(ops, old) == 200
    ops.write_tokens({"client1": ops.tokens["client1"], "client2": new})
    ops.signal(signal.SIGHUP)
    until(lambda: status(ops, new) == 200)
    assert status(ops, old) == 401
    ops.tokens["client2"] = new


def test_a_broken_token_file_keeps_the_tokens_in_force(ops: Server) -> None:
    ops.token_file.chmod(0o644)  # readable by others: refused, as ssh refuses such a key file
    try:
        ops.signal(signal.SIGHUP)
        until(lambda: "auth.reload_failed" in ops.log())
        assert status(ops, ops.token) == 200
    finally:
        ops.token_file.chmod(0o600)


def test_a_finished_job_expires_after_the_retention_time(ops: Server) -> None:
    headers = ops.headers(**{"Idempotency-Key": "expiring-job"})
    created = httpx.post(f"{ops.url}/v1/jobs", content=BODY, headers=headers, timeout=30)
    assert created.status_code == 202
    location = f"{ops.url}{created.headers['location']}"
    until(lambda: httpx.get(location, headers=ops.headers(), timeout=30).json()["status"] == "expired")
    assert_error(httpx.get(f"{location}/result", headers=ops.headers(), timeout=30), 410, "gone")
    folder = ops.data_dir / "jobs" / created.json()["id"]
    assert sorted(p.name for p in folder.iterdir()) == ["meta.json"]  # the report is gone, the record stays
    again = httpx.post(f"{ops.url}/v1/jobs", content=BODY, headers=headers, timeout=30)
    assert again.json()["id"] == created.json()["id"]  # the key is honoured for its whole window


@pytest.mark.slow
def test_a_worker_killed_mid_request_is_replaced(ops: Server, big_file: bytes) -> None:
    """SIGKILL every worker while a large file is being checked: the request is checked again on a
    fresh pool (or gets a clean 503), and the server answers everything after it."""
    before = sorted(ops.worker_pids())
    assert len(before) == ops.workers
    answer: dict[str, httpx.Response] = {}

    def post() -> None:
        answer["big"] = httpx.post(f"{ops.url}/v1/check", content=big_file, headers=ops.headers(), timeout=300)

    sender = threading.Thread(target=post)
    sender.start()
    until(lambda: httpx.get(f"{ops.url}/readyz", timeout=30).json().get("pending", 0) >= 1, every=0.05)
    time.sleep(0.5)  # inside the check
    for pid in before:
        os.kill(pid, signal.SIGKILL)
    sender.join(300)
    response = answer["big"]
    print(f"the request whose worker was killed: {response.status_code}")
    if response.status_code == 200:
        assert response.json()["summary"]["claims"] == BIG_CLAIMS
    else:
        assert_error(response, 503, "worker_lost")
    until(lambda: httpx.get(f"{ops.url}/readyz", timeout=30).status_code == 200)
    after = sorted(ops.worker_pids())
    assert len(after) == ops.workers and not set(after) & set(before)
    for _ in range(3):
        assert httpx.post(f"{ops.url}/v1/check", content=BODY, headers=ops.headers(), timeout=60).status_code == 200
    metrics = httpx.get(f"{ops.url}/metrics", headers=ops.headers(), timeout=30).text
    assert "scrubber_worker_pool_restarts_total 1.0" in metrics
    events = [json.loads(line)["event"] for line in ops.log().splitlines() if line.startswith("{")]
    assert "pool.worker_lost" in events


@pytest.mark.slow
def test_sigterm_lets_the_request_in_flight_finish(ops: Server, big_file: bytes) -> None:
    answer: dict[str, httpx.Response] = {}

    def post() -> None:
        answer["big"] = httpx.post(f"{ops.url}/v1/check", content=big_file, headers=ops.headers(), timeout=300)

    sender = threading.Thread(target=post)
    sender.start()
    until(lambda: httpx.get(f"{ops.url}/readyz", timeout=30).json().get("pending", 0) >= 1, every=0.05)
    ops.signal(signal.SIGTERM)
    sender.join(300)
    assert answer["big"].status_code == 200
    assert ops.process is not None
    ops.process.wait(60)
    assert '"service.stopped"' in ops.log()
    assert list((ops.data_dir / "spool").iterdir()) == []


@pytest.mark.slow
def test_a_restarted_server_keeps_its_jobs(ops: Server) -> None:
    """Job records survive a restart (the server above was stopped by SIGTERM)."""
    ops.stop()
    ops.start()
    jobs = list((ops.data_dir / "jobs").glob("*/meta.json"))
    assert jobs
    job_id = jobs[0].parent.name
    assert httpx.get(f"{ops.url}/v1/jobs/{job_id}", headers=ops.headers(), timeout=30).status_code == 200


def test_a_token_file_others_can_read_is_refused_at_start(tmp_path: Path) -> None:
    server = Server(tmp_path / "loose")
    server.token_file.chmod(0o644)
    with pytest.raises(RuntimeError, match="other users can read it"):
        server.start()
    assert server.process is not None and server.process.wait(30) == 2
