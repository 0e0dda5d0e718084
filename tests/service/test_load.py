"""A bounded load test: 16 clients for 2 minutes with good and bad files; no 5xx, healthy afterwards.

The figures (throughput, p50/p90/p99 latency, answers by status) are printed and written to
``bench/out/service-load-test.json``; nothing asserts a timing. ``python -m bench.service`` runs
the same load and compares claims/s with the CLI.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.service import OUT, corpus, healthy, load
from bench.serving import Server

SECONDS = 120.0
CLIENTS = 16


@pytest.mark.slow
def test_sixteen_clients_for_two_minutes(tmp_path: Path) -> None:
    samples = corpus(tmp_path)
    server = Server(tmp_path / "server", workers=2).start()
    try:
        result = load(server, samples, SECONDS, CLIENTS)
        still_healthy = healthy(server)
        log = server.log()
    finally:
        server.stop()
    figures = result.summary()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "service-load-test.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
    assert result.requests > 0
    assert figures["server_errors"] == 0
    assert result.transport_errors == 0
    assert set(result.by_status) <= {"200", "415", "422"}
    assert {"200", "415", "422"} <= set(result.by_status)  # good and bad files both went through
    assert still_healthy
    assert "Traceback" not in log
