"""The kept JSON Schema of ``scrubber.report/1`` is current, and what ``check --format json`` writes validates."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from scrubber.report.report_schema import SCHEMA_FILE, main, rendered
from scrubber.workflows.check import CheckOptions, run_check
from tests.conftest import ROOT, TR3_FILES

CORPUS = [*TR3_FILES, ROOT / "fixtures" / "examples" / "demo-claims.837"]


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_kept_schema_is_generated_from_the_models() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == rendered(), (
        "run python -m scrubber.report.report_schema --write"
    )
    assert main([]) == 0


def test_the_cli_json_of_the_examples_validates(validator: jsonschema.Draft202012Validator, tmp_path: Path) -> None:
    out = tmp_path / "reports.json"
    files = [str(p) for p in CORPUS]
    run_check(CheckOptions(files=files, format="json", output=out))
    documents = json.loads(out.read_text(encoding="utf-8"))
    assert len(documents) == len(CORPUS)
    for document in documents:
        validator.validate(document)
    assert {d["status"] for d in documents} == {"accepted", "rejected"}


def test_an_unreadable_file_validates_and_a_wrong_document_does_not(
    validator: jsonschema.Draft202012Validator, tmp_path: Path
) -> None:
    junk = tmp_path / "junk.837"
    junk.write_bytes(b"not X12")
    out = tmp_path / "report.json"
    run_check(CheckOptions(files=[str(junk)], format="json", output=out))
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["status"] == "unreadable"
    validator.validate(document)
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({**document, "status": "accepted"})  # neither a report nor an unreadable file
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({**document, "schema": "scrubber.report/2"})
