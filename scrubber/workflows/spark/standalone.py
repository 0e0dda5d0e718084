"""A Spark standalone cluster on loopback: a master and N workers from PySpark's own ``spark-class``.

For the tests and the benchmark (``python -m bench.spark``), and to try ``scrubber spark check
--master spark://...`` on one machine. Everything binds to 127.0.0.1 on free ports; the processes
are this one's children, logs go to files in ``work_dir``, and :meth:`LocalCluster.stop` ends
exactly the processes it started. Nothing is downloaded: the PySpark wheel carries Spark.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from scrubber.workflows.spark.session import LOG4J


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def spark_home() -> Path:
    """The Spark inside the installed PySpark wheel."""
    import pyspark

    return Path(pyspark.__file__).parent


@dataclass
class LocalCluster:
    """A running cluster: its master URL and the processes to stop."""

    master_url: str
    ui_url: str
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: list[IO[bytes]] = field(default_factory=list)

    def alive_workers(self) -> int:
        """Workers the master lists as ALIVE (from its JSON status page on loopback)."""
        with urllib.request.urlopen(f"{self.ui_url}/json/", timeout=5) as answer:  # loopback only
            status = json.load(answer)
        return sum(1 for worker in status.get("workers", []) if worker.get("state") == "ALIVE")

    def stop(self) -> None:
        """Terminate the workers, then the master (each by its own process), and wait for them."""
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in reversed(self.processes):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)
        for log in self.logs:
            log.close()
        self.processes.clear()


def _environment(work_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SPARK_HOME=str(spark_home()),
        SPARK_LOCAL_IP="127.0.0.1",
        SPARK_LOG_DIR=str(work_dir / "logs"),
        SPARK_DAEMON_JAVA_OPTS=f"-Dlog4j2.configurationFile={LOG4J.as_uri()}",
        PYSPARK_PYTHON=env.get("PYSPARK_PYTHON", sys.executable),
    )
    return env


def _start(cluster: LocalCluster, work_dir: Path, name: str, args: list[str], env: dict[str, str]) -> None:
    log = (work_dir / f"{name}.log").open("wb")
    cluster.logs.append(log)
    command = [str(spark_home() / "bin" / "spark-class"), *args]
    cluster.processes.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=work_dir))


@contextlib.contextmanager
def local_cluster(
    work_dir: Path, workers: int = 2, cores: int = 1, memory: str = "2g", timeout: float = 180.0
) -> Iterator[LocalCluster]:
    """Start a master and ``workers`` workers (``cores`` and ``memory`` each); stop them on exit."""
    work_dir.mkdir(parents=True, exist_ok=True)
    env = _environment(work_dir)
    port, ui_port = free_port(), free_port()
    cluster = LocalCluster(f"spark://127.0.0.1:{port}", f"http://127.0.0.1:{ui_port}")
    try:
        master_args = ["org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(port)]
        _start(cluster, work_dir, "master", [*master_args, "--webui-port", str(ui_port)], env)
        for number in range(workers):
            _start(
                cluster,
                work_dir,
                f"worker-{number}",
                [
                    "org.apache.spark.deploy.worker.Worker",
                    cluster.master_url,
                    *("--host", "127.0.0.1", "--port", str(free_port()), "--webui-port", str(free_port())),
                    *("--cores", str(cores), "--memory", memory, "--work-dir", str(work_dir / f"worker-{number}")),
                ],
                env,
            )
        _wait_for(cluster, workers, timeout, work_dir)
        yield cluster
    finally:
        cluster.stop()


def _wait_for(cluster: LocalCluster, workers: int, timeout: float, work_dir: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in cluster.processes):
            raise RuntimeError(f"a Spark daemon exited early; see the logs in {work_dir}")
        with contextlib.suppress(OSError, ValueError):
            if cluster.alive_workers() >= workers:
                return
        time.sleep(1)
    raise RuntimeError(f"the standalone cluster did not start within {timeout:.0f} s; see the logs in {work_dir}")
