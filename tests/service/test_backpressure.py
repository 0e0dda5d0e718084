"""What a busy server answers: 409 for a job that has not finished, 503 once too many checks wait.

One server with one worker and room for one waiting check (``--max-waiting 1``): a large check
runs, a second waits for the worker, and any further one is refused at once with ``503 busy`` and
``Retry-After: 5`` (its body discarded); everything is answered normally once the two are done.
The tests follow the server's own counts (``/readyz``'s ``pending``, the job's status), never a
sleep.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import httpx
import pytest

from bench.serving import Server
from tests.service.conftest import AS_OF, BIG_CLAIMS, DEMO, assert_error, until

BODY = DEMO.read_bytes()
DEMO_CLAIMS = 6
TIMEOUT = 300.0  # seconds for one answer; a large check takes a few on an idle core, more under load


@pytest.fixture(scope="module")
def narrow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One worker, one check allowed to wait for it, the default 50 MiB body limit."""
    live = Server(tmp_path_factory.mktemp("narrow"), workers=1, extra=["--max-waiting", "1"]).start()
    try:
        yield live
    finally:
        live.stop()


def pending(server: Server) -> int:
    """Checks (and jobs) in the worker or waiting for it, as /readyz counts them."""
    ready = httpx.get(f"{server.url}/readyz", timeout=30)
    assert ready.status_code == 200, ready.text
    return int(ready.json()["pending"])


def idle(server: Server) -> None:
    until(lambda: pending(server) == 0, timeout=TIMEOUT)


def busy_refusals(server: Server) -> float:
    """The 503 answers to POST /v1/check so far, from /metrics."""
    text = httpx.get(f"{server.url}/metrics", headers=server.headers(), timeout=30).text
    line = 'scrubber_http_requests_total{method="POST",route="/v1/check",status="503"} '
    values = [float(row[len(line) :]) for row in text.splitlines() if row.startswith(line)]
    return values[0] if values else 0.0


def assert_report(response: httpx.Response, claims: int) -> None:
    assert response.status_code == 200, response.text
    assert response.headers["x-scrubber-claims"] == str(claims)
    assert response.json()["summary"]["claims"] == claims


@pytest.mark.slow
def test_a_job_not_finished_is_409_then_its_result_and_delete_work(narrow: Server, big_file: bytes) -> None:
    idle(narrow)
    with httpx.Client(base_url=narrow.url, headers=narrow.headers(), timeout=TIMEOUT) as http:
        created = http.post("/v1/jobs", params={"as_of": AS_OF}, content=big_file)
        assert created.status_code == 202, created.text
        job_id = created.json()["id"]

        early = http.get(f"/v1/jobs/{job_id}/result")
        error = assert_error(early, 409, "not_finished")
        assert early.headers["retry-after"] == "1"
        assert re.fullmatch(rf"the job is (queued|running); poll /v1/jobs/{re.escape(job_id)}", error["message"])

        refused = http.delete(f"/v1/jobs/{job_id}")
        error = assert_error(refused, 409, "not_finished")
        assert refused.headers["retry-after"] == "1"
        assert re.fullmatch(r"the job is (queued|running); delete it once it has finished", error["message"])
        assert (narrow.data_dir / "jobs" / job_id / "meta.json").exists()  # the refused DELETE removed nothing

        until(lambda: http.get(f"/v1/jobs/{job_id}").json()["status"] not in ("queued", "running"), TIMEOUT)
        job = http.get(f"/v1/jobs/{job_id}").json()
        assert job["status"] == "succeeded", job
        assert job["summary"]["claims"] == BIG_CLAIMS
        assert job["links"]["result"] == f"/v1/jobs/{job_id}/result"

        assert_report(http.get(job["links"]["result"]), BIG_CLAIMS)
        assert http.delete(f"/v1/jobs/{job_id}").status_code == 204
        assert not (narrow.data_dir / "jobs" / job_id).exists()
        assert_error(http.get(f"/v1/jobs/{job_id}"), 404, "not_found")


@pytest.mark.slow
def test_checks_beyond_the_waiting_bound_get_503_busy(narrow: Server, big_file: bytes) -> None:
    idle(narrow)
    refusals_before = busy_refusals(narrow)
    answers: dict[str, httpx.Response] = {}
    failures: list[BaseException] = []

    def post(name: str) -> None:
        try:
            answers[name] = httpx.post(
                f"{narrow.url}/v1/check", params={"as_of": AS_OF}, content=big_file, headers=narrow.headers(),
                timeout=TIMEOUT,
            )  # fmt: skip
        except BaseException as error:  # reported by the main thread
            failures.append(error)

    threads: list[threading.Thread] = []

    def send(name: str) -> None:
        thread = threading.Thread(target=post, args=(name,), name=name)
        thread.start()
        threads.append(thread)

    send("running")
    until(lambda: pending(narrow) >= 1 or "running" in answers, every=0.02)  # in the worker
    send("waiting")
    until(lambda: pending(narrow) >= 2 or "waiting" in answers, every=0.02)  # waiting for it: the bound
    for name in ("third", "fourth", "fifth"):
        send(name)
    job = httpx.post(f"{narrow.url}/v1/jobs", params={"as_of": AS_OF}, content=BODY, headers=narrow.headers(),
                     timeout=30)  # fmt: skip
    assert job.status_code == 202, job.text  # jobs are queued whatever the load
    for thread in threads:
        thread.join(TIMEOUT)
    assert not failures, failures
    assert not [thread.name for thread in threads if thread.is_alive()]
    assert set(answers) == {"running", "waiting", "third", "fourth", "fifth"}

    assert_report(answers["running"], BIG_CLAIMS)
    assert_report(answers["waiting"], BIG_CLAIMS)  # one check may wait: it is not refused
    refused = [name for name, answer in answers.items() if answer.status_code == 503]
    print(f"answers: { {name: answer.status_code for name, answer in answers.items()} }")
    assert refused, "no check was refused"
    for name, answer in answers.items():
        if name in refused:
            error = assert_error(answer, 503, "busy")
            assert answer.headers["retry-after"] == "5"
            assert error["message"] == "too many checks are waiting; try again shortly"
        else:
            assert_report(answer, BIG_CLAIMS)

    idle(narrow)
    assert httpx.get(f"{narrow.url}/readyz", timeout=30).json() == {"status": "ready", "workers": 1, "pending": 0}
    after = httpx.post(f"{narrow.url}/v1/check", params={"as_of": AS_OF}, content=BODY, headers=narrow.headers(),
                       timeout=TIMEOUT)  # fmt: skip
    assert_report(after, DEMO_CLAIMS)
    queued = httpx.get(f"{narrow.url}{job.headers['location']}", headers=narrow.headers(), timeout=30).json()
    assert queued["status"] == "succeeded" and queued["summary"]["claims"] == DEMO_CLAIMS, queued
    assert busy_refusals(narrow) - refusals_before == len(refused)
    until(lambda: list((narrow.data_dir / "spool").iterdir()) == [])  # refused bodies were not kept
    assert "Traceback" not in narrow.log()
