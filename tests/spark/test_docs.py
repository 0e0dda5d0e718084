"""Quick tier: the documented schema is the built one, and scrubber imports without the spark extra."""

from __future__ import annotations

import re
import subprocess
import sys

import scrubber.spark
from scrubber.workflows.spark.schema import TABLES, schema_markdown
from tests.conftest import ROOT


def test_the_readme_shows_the_schema_the_tables_are_built_from() -> None:
    assert schema_markdown() in (ROOT / "README.md").read_text()


def test_the_module_docstring_lists_every_column_in_order() -> None:
    doc = " ".join((scrubber.spark.__doc__ or "").split())
    for table in TABLES:
        found = re.search(rf"- ``{table.name}``: ([a-z_0-9, ()]+)", doc)
        assert found, table.name
        listed = [part.strip() for part in re.sub(r"\([^)]*\)", "", found.group(1)).split(",")]
        assert listed == table.names, table.name


def test_scrubber_imports_and_the_command_says_what_to_install_without_pyspark() -> None:
    """pyspark and pyarrow blocked: `import scrubber.spark` works; the command exits 2 in one line."""
    code = """
import sys
sys.modules["pyspark"] = None
sys.modules["pyarrow"] = None
import scrubber.spark
from scrubber.cli.app import main
sys.argv = ["scrubber", "spark", "check", "x.837", "--out", "out-never-written"]
main()
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("scrubber: error: the Spark extra is not installed (")
    assert line.endswith("missing): pip install 'scrubber[spark]'")
