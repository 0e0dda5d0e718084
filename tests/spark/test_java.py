"""Quick tier: where Java is missing or too old, Spark is refused in one line that says what to install.

Java is looked for where PySpark's launcher looks (``$JAVA_HOME/bin/java``, else ``PATH``); a
stand-in ``java`` script answers ``-version`` as an old JDK does. No JVM starts here.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scrubber.workflows.spark import java_problem
from tests.conftest import run_cli
from tests.spark.conftest import DEMO


def _fake_jdk(home: Path, version_line: str) -> Path:
    """A JAVA_HOME whose bin/java prints ``version_line`` to stderr, as ``java -version`` does."""
    java = home / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text(f"#!/bin/sh\necho '{version_line}' >&2\n")
    java.chmod(0o700)
    return home


def test_no_java_names_the_package(tmp_path: Path) -> None:
    problem = java_problem({"JAVA_HOME": str(tmp_path), "PATH": os.environ.get("PATH", "")})
    assert problem == (
        f"no Java found (JAVA_HOME={tmp_path}): install Java 17 or newer, e.g. Debian's openjdk-17-jre-headless"
    )
    assert java_problem({"PATH": str(tmp_path)}) is not None  # nothing on PATH either


def test_an_old_java_is_refused_and_a_new_one_accepted(tmp_path: Path) -> None:
    pytest.importorskip("pyspark")
    from pyspark.version import __version__

    old = _fake_jdk(tmp_path / "jdk8", 'openjdk version "1.8.0_392"')
    new = _fake_jdk(tmp_path / "jdk21", 'openjdk version "21.0.2" 2024-01-16')
    problem = java_problem({"JAVA_HOME": str(old), "PATH": ""})
    if int(__version__.split(".")[0]) >= 4:
        needs = "this PySpark needs 17 or newer, e.g. Debian's openjdk-17-jre-headless"
        assert problem == f"{old}/bin/java is Java 8; {needs}"
    else:
        assert problem is None
    assert java_problem({"JAVA_HOME": str(new), "PATH": ""}) is None


def test_the_command_says_so_in_one_line_and_exits_2(tmp_path: Path) -> None:
    pytest.importorskip("pyspark")
    pytest.importorskip("pyarrow")
    out = tmp_path / "tables"
    result = run_cli("spark", "check", str(DEMO), "--out", str(out), env={"JAVA_HOME": str(tmp_path / "no-jdk")})
    assert result.code == 2
    assert result.stderr.splitlines() == [
        f"scrubber: error: cannot start Spark: no Java found (JAVA_HOME={tmp_path / 'no-jdk'}): "
        "install Java 17 or newer, e.g. Debian's openjdk-17-jre-headless"
    ]
    assert not out.exists()
