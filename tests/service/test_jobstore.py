"""The job store without a server: recovery after a stop, expiry, the idempotency window."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from scrubber.workflows.service.errors import ApiError
from scrubber.workflows.service.jobs import JobOptions, JobStore, fingerprint
from scrubber.workflows.service.uploads import Upload
from scrubber.workflows.service.worker import CheckOutcome

HOUR = 3600.0


def upload(folder: Path, body: bytes = b"ISA*...") -> Upload:
    path = folder / f"body-{len(list(folder.iterdir()))}.x12"
    path.write_bytes(body)
    return Upload(path, len(body), "0" * 64 if body == b"ISA*..." else "1" * 64)


def store(root: Path, retention: float = HOUR, window: float = 24 * HOUR) -> JobStore:
    return JobStore(root / "jobs", retention=retention, idempotency_window=window)


def test_a_stopped_servers_jobs_are_queued_again_or_failed(tmp_path: Path) -> None:
    first = store(tmp_path)
    spool = tmp_path / "spool"
    spool.mkdir()
    options = JobOptions()
    waiting = first.create("alice", options, upload(spool), "p1", None)
    running = first.create("alice", options, upload(spool), "p2", None)
    first.started(running)
    lost = first.create("alice", options, upload(spool), "p3", None)
    first.started(lost)
    os.unlink(first.input_path(lost))  # its input is gone
    again = store(tmp_path).recover()
    assert sorted(j.id for j in again) == sorted([waiting.id, running.id])
    reread = store(tmp_path)
    reread.recover()
    failed = reread.get(lost.id)
    assert failed is not None and failed.status == "failed" and failed.error is not None
    assert failed.error.code == "interrupted"
    assert stat.S_IMODE(os.stat(tmp_path / "jobs").st_mode) == 0o700


def test_expiry_keeps_the_record_for_the_idempotency_window(tmp_path: Path) -> None:
    jobs = store(tmp_path, retention=HOUR, window=24 * HOUR)
    spool = tmp_path / "spool"
    spool.mkdir()
    body = upload(spool)
    options = JobOptions(format="text")
    print_ = fingerprint(body, options)
    job = jobs.create("alice", options, body, print_, "key-1")
    result = spool / "result"
    result.write_text("report")
    jobs.started(job)
    jobs.finished(job, CheckOutcome("accepted", claims=1, accepted=1), result)
    assert job.status == "succeeded" and jobs.result_path(job).exists()
    assert not jobs.input_path(job).exists()
    finished = job.finished
    assert finished is not None
    assert jobs.purge(finished + HOUR / 2) == {"expired": 0, "removed": 0}
    assert jobs.purge(finished + 2 * HOUR) == {"expired": 1, "removed": 0}
    assert job.status == "expired" and not jobs.result_path(job).exists()
    assert jobs.find("alice", "key-1", print_, now=job.created + 2 * HOUR) is job
    with pytest.raises(ApiError) as refused:
        jobs.find("alice", "key-1", "another body", now=job.created + 2 * HOUR)
    assert refused.value.status == 422
    assert jobs.find("bob", "key-1", print_) is None  # keys are per client
    assert jobs.find("alice", "key-1", print_, now=job.created + 25 * HOUR) is None  # the window is over
    assert jobs.purge(job.created + 25 * HOUR) == {"expired": 0, "removed": 1}
    assert jobs.get(job.id) is None and not jobs.folder(job).exists()


def test_a_failed_check_is_recorded_with_its_status(tmp_path: Path) -> None:
    jobs = store(tmp_path)
    spool = tmp_path / "spool"
    spool.mkdir()
    job = jobs.create("alice", JobOptions(), upload(spool), "p", None)
    jobs.started(job)
    jobs.finished(job, CheckOutcome("unreadable", error_code="not_x12", error="-: not X12"), spool / "none")
    assert job.status == "failed" and job.error_status == 422
    assert job.error is not None and job.error.code == "not_x12"
