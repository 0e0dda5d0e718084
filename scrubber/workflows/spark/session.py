"""A SparkSession for the command line: quiet, no UI port, owner-only output, this Python on executors.

A library user brings their own session; ``scrubber spark check`` makes one with
:func:`spark_session`. Spark's JVM logs are cut to errors (a log4j2 file shipped beside this
module, given to the driver JVM when it starts) and Spark's progress bar is off, so stderr holds
scrubber's own lines. Files Spark writes are created without group and other permissions (the
tables quote claim data). The JVM's own start-up notice (Spark 4 loads an incubator module) is
the one line filtered out of the driver JVM's stderr; everything else on it passes through.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

LOG4J = Path(__file__).with_name("log4j2.properties")

QUIET_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.hadoop.fs.permissions.umask-mode": "077",
    "spark.sql.session.timeZone": "UTC",
}


class SparkMissing(ImportError):
    """PySpark is not installed (``pip install 'scrubber[spark]'``)."""


def require_pyspark() -> None:
    """Raise :class:`SparkMissing` with the install hint when pyspark or pyarrow cannot be imported."""
    try:
        import pyarrow  # noqa: F401
        import pyspark  # noqa: F401
    except ImportError as error:
        raise SparkMissing(
            f"the Spark extra is not installed ({error.name} missing): pip install 'scrubber[spark]'"
        ) from None


JAVA_PACKAGE = "openjdk-17-jre-headless"  # Debian's; ./scripts/test installs it


class JavaMissing(RuntimeError):
    """No Java new enough for the installed PySpark where Spark's launcher looks for it."""


def java_problem(env: Mapping[str, str] | None = None) -> str | None:
    """Why Spark cannot start a JVM here, or None when it can.

    Looks where PySpark's launcher (``spark-class``) does: ``$JAVA_HOME/bin/java``, else ``java``
    on ``PATH``; Spark 4 needs Java 17 or newer (Spark 3.5: 8).
    """
    env = os.environ if env is None else env
    home = env.get("JAVA_HOME")
    java = os.path.join(home, "bin", "java") if home else shutil.which("java", path=env.get("PATH"))
    where = f"JAVA_HOME={home}" if home else "PATH"
    if not java or not os.access(java, os.X_OK):
        return f"no Java found ({where}): install Java 17 or newer, e.g. Debian's {JAVA_PACKAGE}"
    try:
        answer = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60, env=dict(env))
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"{java} -version failed ({type(error).__name__}): install Java 17 or newer, e.g. {JAVA_PACKAGE}"
    found = re.search(r'version "(\d+)(?:\.(\d+))?', answer.stderr + answer.stdout)
    if answer.returncode != 0 or not found:
        return f"{java} -version failed (exit {answer.returncode}): install Java 17 or newer, e.g. {JAVA_PACKAGE}"
    major = int(found.group(2) or 0) if found.group(1) == "1" else int(found.group(1))  # "1.8.0" is Java 8
    needed = _java_needed()
    if major < needed:
        return f"{java} is Java {major}; this PySpark needs {needed} or newer, e.g. Debian's {JAVA_PACKAGE}"
    return None


def _java_needed() -> int:
    try:
        from pyspark.version import __version__
    except ImportError:
        return 17
    return 17 if int(__version__.split(".")[0]) >= 4 else 8


def spark_session(master: str | None = None, *, app_name: str = "scrubber", conf: dict[str, str] | None = None) -> Any:
    """A session on ``master`` (default ``local[*]``, or what spark-submit set) with :data:`QUIET_CONF`.

    The executors run this interpreter (``PYSPARK_PYTHON``, unless already set), so they import
    the same scrubber; on a cluster it must exist at the same path on every worker. Raises
    :class:`SparkMissing` without the extra, :class:`JavaMissing` when the driver JVM cannot start.
    """
    require_pyspark()
    from pyspark import SparkConf, SparkContext
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    settings = {**QUIET_CONF, "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile={LOG4J.as_uri()}"}
    if master:
        settings["spark.master"] = master
    elif "spark.master" not in os.environ.get("PYSPARK_SUBMIT_ARGS", "") and not os.environ.get("MASTER"):
        settings["spark.master"] = "local[*]"
    settings.update({"spark.app.name": app_name, **(conf or {})})
    spark_conf = SparkConf().setAll(list(settings.items()))
    if SparkContext._active_spark_context is None and "PYSPARK_GATEWAY_PORT" not in os.environ:
        problem = java_problem()
        if problem:
            raise JavaMissing(problem)
        _start_context(spark_conf)
    session = SparkSession.builder.config(conf=spark_conf).getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    logging.getLogger("py4j").setLevel(logging.WARNING)  # its info lines say when connections close
    return session


_NOISE = (b"WARNING: Using incubator modules",)


def _start_context(conf: Any) -> None:
    """Start the driver JVM with its stderr through :func:`_forward` (PySpark's own launcher)."""
    from pyspark import SparkContext
    from pyspark.java_gateway import launch_gateway

    gateway = launch_gateway(conf, popen_kwargs={"stderr": subprocess.PIPE})
    threading.Thread(target=_forward, args=(gateway.proc.stderr,), name="spark-stderr", daemon=True).start()
    SparkContext(conf=conf, gateway=gateway)


def _forward(stream: IO[bytes]) -> None:
    """Copy the JVM's stderr to ours, line by line, without its known start-up noise."""
    for line in iter(stream.readline, b""):
        if line.startswith(_NOISE):
            continue
        out = getattr(sys.stderr, "buffer", None)  # looked up each time: a test runner swaps stderr
        if out is not None:
            out.write(line)
            out.flush()
        else:
            sys.stderr.write(line.decode("utf-8", "replace"))
