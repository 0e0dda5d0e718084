"""Reference endpoints (rules, codes, the report's schema) and the operational ones (health, readiness, metrics).

The rules and codes answers are what ``scrubber rules --format json`` and ``scrubber codes show``
say, from the same functions (:mod:`scrubber.workflows.catalogue`, :mod:`scrubber.workflows.codes`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from scrubber.report.report_schema import SCHEMA_FILE
from scrubber.workflows.catalogue import catalogue_rows, rule_entry
from scrubber.workflows.codes import code_set_for, lookup_code
from scrubber.workflows.service.auth import Client
from scrubber.workflows.service.errors import ApiError, IsoDate, error_document
from scrubber.workflows.service.metrics import CONTENT_TYPE
from scrubber.workflows.service.openapi import errors
from scrubber.workflows.service.state import client_of, known_query, service_of

router = APIRouter()
Authorized = Annotated[Client, Depends(client_of)]
PAYER_PATTERN = r"^[A-Za-z0-9 ._-]{0,80}$"
Payer = Annotated[
    str, Query(max_length=80, pattern=PAYER_PATTERN, description="Severities as configured for this payer id")
]


@router.get("/v1/rules", summary="The rule catalogue with configured severities", responses=errors(401, 422))
async def rules(request: Request, client: Authorized, payer: Payer = "") -> list[dict[str, str]]:
    service = service_of(request)
    return catalogue_rows(service.registry, service.rule_settings, payer)


@router.get("/v1/rules/{rule_id}", summary="One rule: catalogue row and doc page", responses=errors(401, 404, 422))
async def rule(request: Request, client: Authorized, rule_id: str, payer: Payer = "") -> dict[str, Any]:
    service = service_of(request)
    found = service.registry.get(rule_id.strip())
    if found is None:
        raise ApiError(404, "unknown_rule", f"no rule {rule_id!r}; GET /v1/rules lists them")
    return rule_entry(service.registry, found, service.rule_settings, payer)


@router.get(
    "/v1/codes/{code}",
    summary="Look an ICD-10-CM code up: title, billable, edits, notes, Excludes1 partners",
    responses=errors(401, 404, 422),
)
async def code(
    request: Request,
    client: Authorized,
    code: str,
    date: Annotated[IsoDate | None, Query(description="Date of service (picks the fiscal year); default today")] = None,
) -> dict[str, Any]:
    service = service_of(request)
    day = date or dt.date.today()
    if len(code) > 16:
        raise ApiError(404, "unknown_code", "not an ICD-10-CM code")
    code_set = await run_in_threadpool(code_set_for, day, loaded=service.code_sets)
    if code_set is None:
        raise ApiError(422, "invalid_request", f"{day.isoformat()} is before ICD-10-CM (2015-10-01)")
    found = await run_in_threadpool(lookup_code, code_set, code)
    if not found.found:
        raise ApiError(404, "unknown_code", found.lines()[0])
    return {"date": day.isoformat(), **found.as_json()}


@router.get(
    "/v1/schema/report",
    summary="The JSON Schema of the scrubber.report/1 document",
    response_class=Response,
    responses={
        200: {
            "description": "JSON Schema 2020-12",
            "content": {"application/schema+json": {"schema": {"type": "object"}}},
        },
        **errors(401, 422),
    },
)
async def report_schema(client: Authorized) -> Response:
    return Response(SCHEMA_FILE.read_bytes(), media_type="application/schema+json")


@router.get(
    "/healthz", summary="Liveness: the server answers", dependencies=[Depends(known_query)], responses=errors(422)
)
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness: the workers have loaded their reference data",
    dependencies=[Depends(known_query)],
    responses=errors(422, 503),
)
async def readyz(request: Request) -> JSONResponse:
    service = service_of(request)
    pool = service.pool
    if pool is None or not pool.ready:
        return JSONResponse(error_document("not_ready", "the check workers are loading"), status_code=503)
    return JSONResponse({"status": "ready", "workers": pool.workers, "pending": pool.pending})


@router.get(
    "/metrics",
    summary="Prometheus metrics (no PHI)",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE.split(";")[0]: {"schema": {"type": "string"}}}}, **errors(401)},
)
async def metrics(request: Request, client: Authorized) -> Response:
    return Response(service_of(request).metrics.render(), media_type=CONTENT_TYPE)

