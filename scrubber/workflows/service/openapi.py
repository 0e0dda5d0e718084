"""OpenAPI details FastAPI cannot infer: raw X12 request bodies, the report schema, the error shape.

The report's schema comes from the same generator as the kept ``report.schema.json``, so
``/openapi.json`` describes the exact document ``/v1/check`` returns.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from scrubber.report.report_schema import OPENAPI_REFS, definitions
from scrubber.workflows.service.errors import ErrorDocument
from scrubber.workflows.service.uploads import X12_MEDIA_TYPES

_TEXT = {"schema": {"type": "string"}}
X12_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The X12 837P file, as it would go to the payer.",
        "content": {media: {"schema": {"type": "string", "format": "binary"}} for media in X12_MEDIA_TYPES},
    }
}
VERDICT_HEADERS = {
    "X-Scrubber-Status": {"description": "The file's verdict: accepted or rejected", "schema": {"type": "string"}},
    "X-Scrubber-Claims": {"description": "Claims in the file", "schema": {"type": "integer"}},
}
_MESSAGES = {
    401: "No bearer token, or one the token file does not hold",
    403: "The job belongs to another client",
    404: "No such resource",
    409: "The job has not finished",
    410: "The job's result was removed after the retention time",
    413: "The body is larger than --max-body-mb",
    415: "The body is not declared as X12",
    422: "Invalid parameters, or a body that is not X12 at all",
    500: "The check failed inside scrubber",
    503: "Too busy, or the workers are not ready",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Response entries for error statuses, each with the one error document."""
    return {status: {"model": ErrorDocument, "description": _MESSAGES[status]} for status in statuses}


def answer(description: str) -> dict[int | str, dict[str, Any]]:
    """The 200 of a check: the JSON report, the text or HTML report, or an acknowledgment."""
    return {
        200: {
            "description": description,
            "headers": VERDICT_HEADERS,
            "content": {
                "application/json": {"schema": {"$ref": OPENAPI_REFS.format(model="FileReport")}},
                "text/plain": _TEXT,
                "text/html": _TEXT,
                "application/edi-x12": _TEXT,
            },
        }
    }


def install(app: FastAPI) -> None:
    """Generate the document once, with the report models among its components."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            for name, schema in definitions(OPENAPI_REFS).items():
                schemas.setdefault(name, schema)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
