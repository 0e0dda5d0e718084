"""The JSON Schema of the ``scrubber.report/1`` document, generated from the pydantic report models.

The generated schema is kept in the repository (``scrubber/report/schema/report.schema.json``) so
that consumers can pin it; a test fails when the models and the file disagree. Regenerate with
``python -m scrubber.report.report_schema --write``. One document is either a checked file
(:class:`~scrubber.report.model.FileReport`) or a file that was not X12 at all
(:class:`UnreadableFileReport`); with several files the CLI writes a JSON array of them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import models_json_schema

from scrubber.report.model import SCHEMA, FileReport

SCHEMA_FILE = Path(__file__).parent / "schema" / "report.schema.json"
LOCAL_REFS = "#/$defs/{model}"
OPENAPI_REFS = "#/components/schemas/{model}"


class UnreadableFileReport(BaseModel):
    """A file that could not be read as X12 at all (the CLI's JSON for it; the service answers 422)."""

    model_config = ConfigDict(populate_by_name=True)

    schema_: str = Field(default=SCHEMA, alias="schema")
    file: str
    status: Literal["unreadable"] = "unreadable"
    error: str
    claims: list[Any] = Field(default_factory=list, max_length=0)


def definitions(ref_template: str = LOCAL_REFS) -> dict[str, Any]:
    """Every model's schema by name (FileReport, UnreadableFileReport and what they hold)."""
    _, top = models_json_schema(
        [(FileReport, "serialization"), (UnreadableFileReport, "serialization")],
        by_alias=True,
        ref_template=ref_template,
    )
    defs: dict[str, Any] = top["$defs"]
    for schema in defs.values():
        if "properties" in schema:  # every key is always written (no field is left out when empty)
            schema["required"] = sorted(schema["properties"])
    for name in ("FileReport", "UnreadableFileReport"):
        defs[name]["properties"]["schema"]["const"] = SCHEMA  # the contract's name, never another
    return defs


def report_schema() -> dict[str, Any]:
    """The whole document's schema (JSON Schema 2020-12)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://scrubber.invalid/schema/report-1.json",
        "title": SCHEMA,
        "description": (
            "One file's report from `scrubber check --format json` or `POST /v1/check`: a checked file "
            "(FileReport) or a file that was not X12 at all (UnreadableFileReport). Keys are only ever "
            "added; a breaking change gets a new schema name."
        ),
        "oneOf": [{"$ref": LOCAL_REFS.format(model=name)} for name in ("FileReport", "UnreadableFileReport")],
        "$defs": definitions(),
    }


def rendered() -> str:
    """The schema file's text: sorted keys, two-space indent, a final newline."""
    return json.dumps(report_schema(), indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    """``--write`` regenerates the kept file; without it, exit 1 when the file is out of date."""
    text = rendered()
    if "--write" in argv:
        SCHEMA_FILE.write_text(text, encoding="utf-8")
        return 0
    current = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
    if current != text:
        print(f"{SCHEMA_FILE} is out of date: run python -m scrubber.report.report_schema --write", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
