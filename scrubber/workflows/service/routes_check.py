"""``POST /v1/check`` (answer in the response) and ``/v1/jobs`` (answer later, for large files).

Both spool the body to an owner-only file, hand a :class:`~worker.CheckTask` to the pool and answer
with the file the worker wrote: the same bytes ``scrubber check`` writes for the same input and
options. The report names the file ``?name=`` (default ``-``, as ``scrubber check -`` names
standard input).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from typing import Annotated, Literal

import structlog
from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.background import BackgroundTask

from scrubber.workflows.service import worker
from scrubber.workflows.service.auth import Client
from scrubber.workflows.service.errors import ApiError, IsoDate
from scrubber.workflows.service.jobs import Job, JobOptions, JobSummary, JobView, fingerprint
from scrubber.workflows.service.openapi import X12_BODY, answer, errors
from scrubber.workflows.service.state import Service, client_of, service_of
from scrubber.workflows.service.uploads import spool_body
from scrubber.workflows.service.worker import CheckOutcome, CheckTask

log = structlog.get_logger("scrubber.service")

router = APIRouter(prefix="/v1")

MEDIA_TYPES = {
    "json": "application/json",
    "text": "text/plain; charset=utf-8",
    "html": "text/html; charset=utf-8",
}
ACK_MEDIA_TYPE = "application/edi-x12"
NAME_PATTERN = r"^[^\x00-\x1f\x7f]+$"


def check_options(
    structure: Annotated[
        Literal["native", "pyx12", "off"], Query(description="The TR3 structure check (SNIP 1-2)")
    ] = "native",
    as_of: Annotated[IsoDate | None, Query(description="Judge dates as of this day (default: today)")] = None,
    fmt: Annotated[
        Literal["json", "text", "html"] | None, Query(alias="format", description="Report format (default json)")
    ] = None,
    ack: Annotated[
        Literal["999", "277ca"] | None, Query(description="Answer with this X12 acknowledgment instead of a report")
    ] = None,
    name: Annotated[
        str, Query(min_length=1, max_length=255, pattern=NAME_PATTERN, description="The report's file name")
    ] = "-",
) -> JobOptions:
    """The query parameters of a check, validated together."""
    if fmt is not None and ack is not None:
        raise ApiError(422, "invalid_request", "ask for a report format or an acknowledgment, not both")
    if ack == "999" and structure == "off":
        raise ApiError(422, "invalid_request", "a 999 needs the structure check: drop structure=off")
    return JobOptions(name=name, structure=structure, as_of=as_of, format=fmt or "json", ack=ack)


Options = Annotated[JobOptions, Depends(check_options)]
Authorized = Annotated[Client, Depends(client_of)]


def media_type(options: JobOptions) -> str:
    return ACK_MEDIA_TYPE if options.ack is not None else MEDIA_TYPES[options.format]


def task_for(options: JobOptions, source: Path, output: Path) -> CheckTask:
    return CheckTask(
        source=str(source),
        output=str(output),
        name=options.name,
        structure=options.structure,  # type: ignore[arg-type]
        as_of=options.as_of,
        format=options.format,
        ack=options.ack,
    )


def outcome_error(outcome: CheckOutcome) -> ApiError:
    """The error answer for a check that made no report."""
    if outcome.error_code == "internal":
        return ApiError(500, "internal", outcome.error)
    code = "not_x12" if outcome.error_code in ("not_x12", "unreadable") else outcome.error_code
    return ApiError(422, code, outcome.error)


def verdict_headers(summary: JobSummary | CheckOutcome) -> dict[str, str]:
    return {"X-Scrubber-Status": summary.status, "X-Scrubber-Claims": str(summary.claims)}


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


@router.post(
    "/check",
    summary="Check one 837P file and answer with its report or acknowledgment",
    responses={**answer("The report (rejected claims are a normal answer)"), **errors(401, 413, 415, 422, 500, 503)},
    openapi_extra=X12_BODY,
)
async def check(request: Request, client: Authorized, options: Options) -> Response:
    service = service_of(request)
    upload = await spool_body(request, service.spool, service.settings.max_body_bytes)
    output = service.spool / f"answer-{secrets.token_hex(12)}"
    try:
        outcome = await service.workers().run(worker.check, task_for(options, upload.path, output))
    except BaseException:
        _unlink(output)
        raise
    finally:
        upload.discard()
    service.metrics.record_check(outcome, upload.size)
    request.state.claims = outcome.claims
    if outcome.status not in ("accepted", "rejected"):
        _unlink(output)
        raise outcome_error(outcome)
    return FileResponse(
        output,
        media_type=media_type(options),
        headers=verdict_headers(outcome),
        background=BackgroundTask(_unlink, output),
    )


# -- jobs ------------------------------------------------------------------------------------------


@router.post(
    "/jobs",
    status_code=202,
    summary="Queue a check of a large file; poll the job for its report",
    responses={202: {"model": JobView, "description": "Queued (or the job this Idempotency-Key made)"},
               **errors(401, 413, 415, 422, 503)},
    openapi_extra=X12_BODY,
)
async def create_job(
    request: Request,
    client: Authorized,
    options: Options,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=255,
            pattern=r"^[\x21-\x7e]+$",
            description="The same key and body within 24 hours give the same job",
        ),
    ] = None,
) -> JSONResponse:
    service = service_of(request)
    upload = await spool_body(request, service.spool, service.settings.max_body_bytes)
    try:
        print_ = fingerprint(upload, options)
        job = service.jobs.find(client.name, idempotency_key, print_) if idempotency_key else None
        replayed = job is not None
        if job is None:
            job = service.jobs.create(client.name, options, upload, print_, idempotency_key)
            service.background(run_job(service, job))
            log.info("job.queued", job=job.id, client=client.name, file=options.name, bytes=upload.size)
    finally:
        upload.discard()
    headers = {"Location": f"/v1/jobs/{job.id}"}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(JobView.of(job).model_dump(mode="json"), status_code=202, headers=headers)


async def run_job(service: Service, job: Job) -> None:
    """Check a job's file in the pool (at most one job per worker at a time) and record the outcome."""
    store = service.jobs
    output = service.spool / f"job-{job.id}"
    async with service.job_slots:
        store.started(job)
        try:
            outcome = await service.workers().run(
                worker.check, task_for(job.options, store.input_path(job), output), bounded=False
            )
        except ApiError as error:
            store.failed(job, error.status, error.code, error.message)
        except Exception as error:  # a bug: the job fails, the server goes on
            log.error("job.error", job=job.id, error_type=type(error).__name__)
            store.failed(job, 500, "internal", "the job failed inside scrubber")
        else:
            service.metrics.record_check(outcome, job.body_bytes)
            store.finished(job, outcome, output)
    _unlink(output)
    service.metrics.jobs.labels(job.status).inc()
    log.info("job.finished", job=job.id, status=job.status, claims=job.summary.claims if job.summary else 0)


def own_job(service: Service, client: Client, job_id: str) -> Job:
    job = service.jobs.get(job_id)
    if job is None:
        raise ApiError(404, "not_found", "no such job (it may have been removed after the retention time)")
    if job.owner != client.name:
        raise ApiError(403, "forbidden", "this job belongs to another client")
    return job


@router.get(
    "/jobs/{job_id}",
    response_model=JobView,
    summary="A job's status, counts and links",
    responses=errors(401, 403, 404),
)
async def get_job(request: Request, client: Authorized, job_id: str) -> JobView:
    return JobView.of(own_job(service_of(request), client, job_id))


@router.get(
    "/jobs/{job_id}/result",
    summary="A finished job's report or acknowledgment (the answer /v1/check would have given)",
    responses={**answer("The report"), **errors(401, 403, 404, 409, 410, 422, 500, 503)},
)
async def job_result(request: Request, client: Authorized, job_id: str) -> Response:
    service = service_of(request)
    job = own_job(service, client, job_id)
    if job.status in ("queued", "running"):
        raise ApiError(409, "not_finished", f"the job is {job.status}; poll /v1/jobs/{job.id}", retry_after=1)
    if job.status == "expired":
        raise ApiError(410, "gone", "the job's result was removed after the retention time")
    if job.status == "failed" or job.summary is None:
        error = job.error
        raise ApiError(job.error_status or 500, error.code if error else "internal", error.message if error else "")
    return FileResponse(
        service.jobs.result_path(job), media_type=media_type(job.options), headers=verdict_headers(job.summary)
    )


@router.delete(
    "/jobs/{job_id}",
    status_code=204,
    summary="Remove a finished job and its result now",
    responses=errors(401, 403, 404, 409),
)
async def delete_job(request: Request, client: Authorized, job_id: str) -> Response:
    service = service_of(request)
    job = own_job(service, client, job_id)
    if job.status in ("queued", "running"):
        raise ApiError(409, "not_finished", f"the job is {job.status}; delete it once it has finished", retry_after=1)
    service.jobs.delete(job)
    return Response(status_code=204)
