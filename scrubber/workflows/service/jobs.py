"""Asynchronous checks of large files, kept on disk: owner-only, idempotent, removed after a retention time.

Layout under the service's data directory (``0700`` folders, ``0600`` files)::

    jobs/<id>/meta.json     the job record: owner, options, state, counts (no claim content)
    jobs/<id>/input.x12     the body, until the check has run
    jobs/<id>/result        the report or acknowledgment, until the retention time is over

The record is written atomically (temporary name, fsync, rename), so a server killed at any
moment restarts with every job either queued again (its input is still there) or finished. An
``Idempotency-Key`` is stored hashed with the owner's name; the same key with the same body and
options finds the same job for ``idempotency_window`` seconds, and with anything else is refused.
Once a finished job's retention time is over its input and result are removed (it reads as
``expired``), and its record goes when the idempotency window is over too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import secrets
import shutil
import time
from pathlib import Path
from typing import Any, Literal

import structlog
from pydantic import BaseModel

from scrubber.fsutil import atomic_writer
from scrubber.workflows.service.errors import ApiError, ErrorBody
from scrubber.workflows.service.uploads import Upload
from scrubber.workflows.service.worker import CheckOutcome

log = structlog.get_logger("scrubber.service.jobs")

JobState = Literal["queued", "running", "succeeded", "failed", "expired"]
FINISHED = ("succeeded", "failed", "expired")
DIR_MODE = 0o700


class JobOptions(BaseModel):
    """How a job's file is checked: the same query parameters as ``/v1/check``."""

    name: str = "-"
    structure: str = "native"
    as_of: dt.date | None = None
    format: str = "json"
    ack: str | None = None


class JobSummary(BaseModel):
    status: str  # the file's verdict: accepted or rejected
    claims: int
    accepted: int
    rejected: int


class Job(BaseModel):
    """The on-disk record of a job."""

    id: str
    owner: str
    status: JobState = "queued"
    created: float
    started: float | None = None
    finished: float | None = None
    options: JobOptions
    body_bytes: int
    fingerprint: str  # sha256 of the body and the options
    key: str | None = None  # sha256 of owner and Idempotency-Key
    summary: JobSummary | None = None
    error: ErrorBody | None = None
    error_status: int | None = None
    attempts: int = 0


def _iso(stamp: float | None) -> str | None:
    return dt.datetime.fromtimestamp(stamp, dt.UTC).isoformat(timespec="seconds") if stamp else None


class JobView(BaseModel):
    """What ``GET /v1/jobs/{id}`` answers."""

    id: str
    status: JobState
    created: str
    started: str | None = None
    finished: str | None = None
    options: JobOptions
    body_bytes: int
    summary: JobSummary | None = None
    error: ErrorBody | None = None
    links: dict[str, str]

    @classmethod
    def of(cls, job: Job) -> JobView:
        links = {"self": f"/v1/jobs/{job.id}"}
        if job.status == "succeeded":
            links["result"] = f"/v1/jobs/{job.id}/result"
        return cls(
            id=job.id,
            status=job.status,
            created=_iso(job.created) or "",
            started=_iso(job.started),
            finished=_iso(job.finished),
            options=job.options,
            body_bytes=job.body_bytes,
            summary=job.summary,
            error=job.error,
            links=links,
        )


def fingerprint(upload: Upload, options: JobOptions) -> str:
    canonical = json.dumps(options.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(f"{upload.sha256}\0{canonical}".encode()).hexdigest()


def key_digest(owner: str, key: str) -> str:
    return hashlib.sha256(f"{owner}\0{key}".encode()).hexdigest()


class JobStore:
    """Job records and files under ``root``; the index of idempotency keys is kept in memory."""

    def __init__(self, root: Path, *, retention: float, idempotency_window: float) -> None:
        self.root = root
        self.retention = retention
        self.window = idempotency_window
        self._jobs: dict[str, Job] = {}
        self._keys: dict[str, str] = {}  # key digest -> job id
        root.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
        os.chmod(root, DIR_MODE)

    # -- paths ---------------------------------------------------------------------------------------

    def folder(self, job: Job) -> Path:
        return self.root / job.id

    def input_path(self, job: Job) -> Path:
        return self.folder(job) / "input.x12"

    def result_path(self, job: Job) -> Path:
        return self.folder(job) / "result"

    # -- records -------------------------------------------------------------------------------------

    def save(self, job: Job) -> None:
        with atomic_writer(self.folder(job) / "meta.json") as out:
            out.write(job.model_dump_json())

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def recover(self) -> list[Job]:
        """Load every record; the jobs to run again (queued, or interrupted with their input at hand)."""
        again: list[Job] = []
        for meta in sorted(self.root.glob("*/meta.json")):
            try:
                job = Job.model_validate_json(meta.read_bytes())
            except (OSError, ValueError):
                log.warning("jobs.unreadable_record", job=meta.parent.name)
                continue
            self._remember(job)
            if job.status in ("queued", "running"):
                if self.input_path(job).exists():
                    job.status = "queued"
                    again.append(job)
                else:
                    self._fail(job, 500, "interrupted", "the server stopped while the job ran and its input is gone")
                self.save(job)
        if self._jobs:
            log.info("jobs.recovered", jobs=len(self._jobs), requeued=len(again))
        return again

    def _remember(self, job: Job) -> None:
        self._jobs[job.id] = job
        if job.key is not None:
            self._keys[job.key] = job.id

    def find(self, owner: str, key: str, print_: str, now: float | None = None) -> Job | None:
        """The job an Idempotency-Key already names (None: a new key); 422 when it named another body."""
        digest = key_digest(owner, key)
        job = self._jobs.get(self._keys.get(digest, ""))
        if job is None or (now or time.time()) - job.created > self.window:
            return None
        if job.fingerprint != print_:
            raise ApiError(
                422,
                "idempotency_key_reused",
                "this Idempotency-Key was used for another body or other options; use a new key",
            )
        return job

    def create(self, owner: str, options: JobOptions, upload: Upload, print_: str, key: str | None) -> Job:
        """A queued job holding the uploaded body (moved, not copied)."""
        job = Job(
            id=secrets.token_urlsafe(18),
            owner=owner,
            created=time.time(),
            options=options,
            body_bytes=upload.size,
            fingerprint=print_,
            key=key_digest(owner, key) if key is not None else None,
        )
        folder = self.folder(job)
        folder.mkdir(mode=DIR_MODE)
        try:
            os.replace(upload.path, self.input_path(job))
            self.save(job)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        self._remember(job)
        return job

    def started(self, job: Job) -> None:
        job.status, job.started = "running", time.time()
        job.attempts += 1
        self.save(job)

    def finished(self, job: Job, outcome: CheckOutcome, result: Path) -> None:
        """Record a check's outcome; the result file moves into place, the input is removed."""
        if outcome.status in ("accepted", "rejected"):
            os.replace(result, self.result_path(job))
            job.status = "succeeded"
            job.summary = JobSummary(
                status=outcome.status, claims=outcome.claims, accepted=outcome.accepted, rejected=outcome.rejected
            )
        else:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(result)
            status = 500 if outcome.error_code == "internal" else 422
            self._fail(job, status, outcome.error_code or "invalid_request", outcome.error)
        job.finished = time.time()
        self._drop_input(job)
        self.save(job)

    def failed(self, job: Job, status: int, code: str, message: str) -> None:
        self._fail(job, status, code, message)
        job.finished = time.time()
        self._drop_input(job)
        self.save(job)

    def _fail(self, job: Job, status: int, code: str, message: str) -> None:
        job.status = "failed"
        job.error = ErrorBody(code=code, message=message)
        job.error_status = status
        job.finished = job.finished or time.time()

    def _drop_input(self, job: Job) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.input_path(job))

    def delete(self, job: Job) -> None:
        """Remove a finished job and everything it kept (its key is forgotten too)."""
        shutil.rmtree(self.folder(job), ignore_errors=True)
        self._jobs.pop(job.id, None)
        if job.key is not None:
            self._keys.pop(job.key, None)

    def purge(self, now: float | None = None) -> dict[str, int]:
        """Expire finished jobs past the retention time; forget records past the idempotency window too."""
        now = now or time.time()
        expired = removed = 0
        for job in list(self._jobs.values()):
            if job.status not in FINISHED or job.finished is None:
                continue
            if now - job.finished <= self.retention:
                continue
            if now - job.created > self.window:
                self.delete(job)
                removed += 1
            elif job.status != "expired":
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self.result_path(job))
                job.status = "expired"
                self.save(job)
                expired += 1
        if expired or removed:
            log.info("jobs.purged", expired=expired, removed=removed)
        return {"expired": expired, "removed": removed}

    def counts(self) -> dict[str, Any]:
        found: dict[str, int] = {}
        for job in self._jobs.values():
            found[job.status] = found.get(job.status, 0) + 1
        return found
