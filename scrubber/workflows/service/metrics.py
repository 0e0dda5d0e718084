"""Prometheus metrics of the service: requests, latency, files, claims and findings by rule.

Labels are route templates (``/v1/jobs/{job_id}``, never a raw path), statuses and rule codes: no
file names, no claim content, so ``/metrics`` carries no PHI. Each application has its own
registry, so several apps (tests) never share counters.
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from scrubber.workflows.service.worker import CheckOutcome

__all__ = ["CONTENT_TYPE", "Metrics"]

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)


class Metrics:
    def __init__(self) -> None:
        registry = self.registry = CollectorRegistry()
        self.requests = Counter(
            "scrubber_http_requests", "HTTP requests answered", ["method", "route", "status"], registry=registry
        )
        self.latency = Histogram(
            "scrubber_http_request_duration_seconds",
            "Time from request to the end of the response",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.body_bytes = Counter("scrubber_request_body_bytes", "Bytes of X12 received", registry=registry)
        self.files = Counter("scrubber_files_checked", "Files checked, by verdict", ["status"], registry=registry)
        self.claims = Counter("scrubber_claims_checked", "Claims judged, by status", ["status"], registry=registry)
        self.findings = Counter("scrubber_findings", "Findings, by rule", ["rule"], registry=registry)
        self.check_seconds = Histogram(
            "scrubber_check_duration_seconds", "Time a worker spent on one file", buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.jobs = Counter("scrubber_jobs", "Asynchronous jobs finished, by outcome", ["outcome"], registry=registry)
        self.worker_restarts = Counter(
            "scrubber_worker_pool_restarts", "Times the worker pool was rebuilt after a worker died", registry=registry
        )
        self.pending = Gauge("scrubber_checks_pending", "Checks in a worker or waiting for one", registry=registry)
        self.ready = Gauge("scrubber_ready", "1 when the workers have loaded their reference data", registry=registry)

    def watch(self, pending: Callable[[], float], ready: Callable[[], float]) -> None:
        """Read the pending count and readiness when scraped."""
        self.pending.set_function(pending)
        self.ready.set_function(ready)

    def record_check(self, outcome: CheckOutcome, body_bytes: int) -> None:
        self.body_bytes.inc(body_bytes)
        if outcome.status == "failed":
            return
        self.files.labels(outcome.status).inc()
        self.check_seconds.observe(outcome.seconds)
        if outcome.accepted:
            self.claims.labels("accepted").inc(outcome.accepted)
        if outcome.rejected:
            self.claims.labels("rejected").inc(outcome.rejected)
        for rule, count in outcome.findings_by_rule.items():
            self.findings.labels(rule).inc(count)

    def render(self) -> bytes:
        return generate_latest(self.registry)
