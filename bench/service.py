"""Load test of ``scrubber serve`` and claims/s over HTTP against the CLI on the same files.

``python -m bench.service [--seconds 120] [--clients 16] [--workers N] [--large-seconds 30]``

1. Starts a real server on loopback (``bench.serving``) and runs ``--clients`` concurrent clients
   for ``--seconds``: each posts the files of a mixed corpus in turn (the 16 TR3 examples, the
   demo file, a generated 200-claim file, and bad ones: a file that is not X12, a truncated
   interchange, a body with the wrong content type), over a keep-alive connection. Recorded:
   requests and claims per second, p50/p90/p99/max latency, answers by status. Afterwards the
   server must still answer /healthz and /readyz.
2. Posts a generated 2,000-claim file from 2 clients for ``--large-seconds`` (per-request costs
   amortised: what a clearinghouse batch sees).
3. Runs ``scrubber check --format json`` (one process, then ``--jobs N``) over the same good files
   and reports its claims/s beside the HTTP figures.

Bounded in time and count, loopback only. Results go to ``bench/out/service-latest.json`` (and a
time-stamped copy) and are printed. Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.files import ensure_file
from bench.serving import Server
from scrubber.synthetic import random_claims, write_837

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).parent / "out"
MAX_REQUESTS = 1_000_000  # a hard bound besides the time


@dataclass(frozen=True)
class Sample:
    name: str
    body: bytes
    content_type: str = "application/edi-x12"
    good: bool = True  # a real 837P (accepted or rejected claims), not a refusal


def corpus(folder: Path) -> list[Sample]:
    """The mixed files: real examples, one generated file, and bad inputs."""
    samples = [Sample(p.name, p.read_bytes()) for p in sorted((ROOT / "fixtures" / "tr3").glob("*.edi"))]
    demo = (ROOT / "fixtures" / "examples" / "demo-claims.837").read_bytes()
    samples.append(Sample("demo-claims.837", demo))
    generated = folder / "claims-200.837"
    with generated.open("w", encoding="latin-1", newline="") as out:
        write_837(out, random_claims(200, seed=15, faulty_share=0.2), claims_per_transaction=50)
    samples.append(Sample(generated.name, generated.read_bytes()))
    samples.append(Sample("not-x12.bin", os.urandom(2048), good=False))
    samples.append(Sample("truncated.837", demo[: len(demo) // 2], good=True))  # reads, rejected
    samples.append(Sample("wrong-type.837", demo, content_type="application/json", good=False))
    return samples


@dataclass
class LoadResult:
    seconds: float
    clients: int
    requests: int = 0
    claims: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    transport_errors: int = 0

    def summary(self) -> dict[str, object]:
        ordered = sorted(self.latencies)

        def pct(p: float) -> float:
            return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1) if ordered else 0.0

        return {
            "seconds": round(self.seconds, 1),
            "clients": self.clients,
            "requests": self.requests,
            "requests_per_second": round(self.requests / self.seconds, 1),
            "claims": self.claims,
            "claims_per_second": round(self.claims / self.seconds, 1),
            "latency_ms": {"p50": pct(0.50), "p90": pct(0.90), "p99": pct(0.99), "max": pct(1.0)},
            "by_status": dict(sorted(self.by_status.items())),
            "server_errors": sum(n for s, n in self.by_status.items() if s.startswith("5")),
            "transport_errors": self.transport_errors,
        }


def load(server: Server, samples: list[Sample], seconds: float, clients: int) -> LoadResult:
    """``clients`` threads posting ``samples`` in turn until ``seconds`` pass."""
    result = LoadResult(seconds, clients)
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    token = server.token

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
        turn = number
        try:
            while time.monotonic() < deadline and result.requests < MAX_REQUESTS:
                sample = samples[turn % len(samples)]
                turn += 1
                headers = {"Authorization": f"Bearer {token}", "Content-Type": sample.content_type}
                started = time.perf_counter()
                try:
                    connection.request("POST", f"/v1/check?name={sample.name}", body=sample.body, headers=headers)
                    response = connection.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException):
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
                    with lock:
                        result.transport_errors += 1
                    continue
                elapsed = time.perf_counter() - started
                claims = int(response.getheader("X-Scrubber-Claims") or 0)
                with lock:
                    result.requests += 1
                    result.claims += claims
                    result.latencies.append(elapsed)
                    key = str(response.status)
                    result.by_status[key] = result.by_status.get(key, 0) + 1
        finally:
            connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - started
    return result


def healthy(server: Server) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        for path in ("/healthz", "/readyz"):
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                return False
        return True
    finally:
        connection.close()


def cli_rate(files: list[Path], jobs: int) -> dict[str, object]:
    """claims/s of one `scrubber check --format json` run over ``files`` (process start included)."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "report.json"
        command = [sys.executable, "-m", "scrubber", "--log-level", "error", "check", "--format", "json",
                   "--output", str(out), "--jobs", str(jobs), *map(str, files)]  # fmt: skip
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, cwd=ROOT, check=False)
        seconds = time.perf_counter() - started
        if done.returncode not in (0, 1):
            raise RuntimeError(done.stderr.decode(errors="replace"))
        reports = json.loads(out.read_text(encoding="utf-8"))
    reports = reports if isinstance(reports, list) else [reports]
    claims = sum(r.get("summary", {}).get("claims", 0) for r in reports)
    return {"jobs": jobs, "files": len(files), "claims": claims, "seconds": round(seconds, 2),
            "claims_per_second": round(claims / seconds, 1)}  # fmt: skip


def run(seconds: float, clients: int, workers: int, large_seconds: float, out: Path) -> dict[str, object]:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        samples = corpus(folder)
        server = Server(folder / "server", workers=workers).start()
        try:
            mixed = load(server, samples, seconds, clients)
            mixed_ok = healthy(server)
            large_file = ensure_file(out, 2000).path
            large = load(server, [Sample(large_file.name, large_file.read_bytes())], large_seconds, 2)
            large_ok = healthy(server)
        finally:
            server.stop()
        # The CLI on the same good files, repeated so that process start-up is a small share.
        good = [folder / s.name for s in samples if s.good]
        for sample in samples:
            if sample.good:
                (folder / sample.name).write_bytes(sample.body)
        repeat = max(1, 10_000 // max(1, sum(s.body.count(b"CLM*") for s in samples if s.good)))
        mixed_files = good * repeat
        figures: dict[str, object] = {
            "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                        "note": "shared machine: other sessions' load competes; the load clients run on it too"},
            "server_workers": workers,
            "http_mixed": {**mixed.summary(), "healthy_after": mixed_ok,
                           "files": [s.name for s in samples]},
            "http_large": {**large.summary(), "healthy_after": large_ok, "file": large_file.name},
            "cli_mixed": [cli_rate(mixed_files, 1), cli_rate(mixed_files, workers)],
            "cli_large": [cli_rate([large_file] * 5, 1), cli_rate([large_file] * 5, workers)],
        }  # fmt: skip
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    text = json.dumps(figures, indent=2) + "\n"
    (out / "service-latest.json").write_text(text)
    (out / f"service-{stamp}.json").write_text(text)
    return figures


def render(figures: dict[str, object]) -> str:
    mixed, large = figures["http_mixed"], figures["http_large"]
    assert isinstance(mixed, dict) and isinstance(large, dict)
    lines = [f"scrubber serve, {figures['server_workers']} workers ({figures['machine']})"]
    for label, block in (("mixed files", mixed), ("2,000-claim file", large)):
        lat = block["latency_ms"]
        lines.append(
            f"HTTP {label}: {block['clients']} clients, {block['seconds']} s, {block['requests']} requests "
            f"({block['requests_per_second']}/s), {block['claims']} claims ({block['claims_per_second']} claims/s), "
            f"p50 {lat['p50']} ms, p90 {lat['p90']} ms, p99 {lat['p99']} ms, max {lat['max']} ms; "
            f"statuses {block['by_status']}, 5xx {block['server_errors']}, healthy after: {block['healthy_after']}"
        )
    for label, key in (("mixed files", "cli_mixed"), ("2,000-claim file", "cli_large")):
        for entry in figures[key]:  # type: ignore[attr-defined]
            lines.append(
                f"CLI {label}: --jobs {entry['jobs']}: {entry['claims']} claims in {entry['seconds']} s "
                f"= {entry['claims_per_second']} claims/s"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.service", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120.0, help="length of the mixed load (default 120)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="server worker processes")
    parser.add_argument("--large-seconds", type=float, default=30.0, help="length of the large-file run")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    print(render(run(args.seconds, args.clients, args.workers, args.large_seconds, args.out)))


if __name__ == "__main__":
    main()
