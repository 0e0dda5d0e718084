"""``/v1/jobs``: 202 and a Location, the same answer as /v1/check, idempotency keys, owners, files on disk."""

from __future__ import annotations

import os
import stat
import time
import uuid

import httpx

from bench.serving import Server
from tests.conftest import TR3_FILES
from tests.service.conftest import AS_OF, DEMO, assert_error

BODY = DEMO.read_bytes()
OTHER = TR3_FILES[0].read_bytes()


def wait_for(http: httpx.Client, server: Server, location: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = http.get(location, headers=server.headers()).json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"the job did not finish: {job}")


def create(http: httpx.Client, server: Server, body: bytes, client: str = "client1", key: str | None = None,
           **params: str) -> httpx.Response:  # fmt: skip
    headers = server.headers(client)
    if key is not None:
        headers["Idempotency-Key"] = key
    return http.post("/v1/jobs", params={"as_of": AS_OF, **params}, content=body, headers=headers)


def test_a_job_answers_what_check_answers(server: Server, http: httpx.Client) -> None:
    created = create(http, server, BODY, name="demo.837")
    assert created.status_code == 202, created.text
    location = created.headers["location"]
    assert location == f"/v1/jobs/{created.json()['id']}"
    assert created.json()["status"] in ("queued", "running", "succeeded")
    job = wait_for(http, server, location)
    assert job["status"] == "succeeded", job
    assert job["summary"] == {"status": "rejected", "claims": 6, "accepted": 3, "rejected": 3}
    result = http.get(job["links"]["result"], headers=server.headers())
    assert result.status_code == 200
    direct = http.post("/v1/check", params={"as_of": AS_OF, "name": "demo.837"}, content=BODY,
                       headers=server.headers())  # fmt: skip
    assert result.content == direct.content
    assert result.headers["x-scrubber-status"] == "rejected"


def test_a_job_can_answer_with_an_acknowledgment(server: Server, http: httpx.Client) -> None:
    job = wait_for(http, server, create(http, server, BODY, ack="277ca").headers["location"])
    result = http.get(job["links"]["result"], headers=server.headers())
    assert result.headers["content-type"] == "application/edi-x12"
    assert b"ST*277*" in result.content


def test_a_job_of_a_file_that_is_not_x12_fails_with_422(server: Server, http: httpx.Client) -> None:
    job = wait_for(http, server, create(http, server, b"not x12 at all").headers["location"])
    assert job["status"] == "failed"
    assert job["error"]["code"] == "not_x12"
    assert_error(http.get(f"/v1/jobs/{job['id']}/result", headers=server.headers()), 422, "not_x12")


def test_the_same_idempotency_key_and_body_give_the_same_job(server: Server, http: httpx.Client) -> None:
    key = str(uuid.uuid4())
    first = create(http, server, BODY, key=key)
    again = create(http, server, BODY, key=key)
    assert first.status_code == again.status_code == 202
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers


def test_the_same_key_with_another_body_or_options_is_422(server: Server, http: httpx.Client) -> None:
    key = str(uuid.uuid4())
    assert create(http, server, BODY, key=key).status_code == 202
    assert_error(create(http, server, OTHER, key=key), 422, "idempotency_key_reused")
    assert_error(create(http, server, BODY, key=key, format="text"), 422, "idempotency_key_reused")


def test_keys_belong_to_their_client(server: Server, http: httpx.Client) -> None:
    key = str(uuid.uuid4())
    mine = create(http, server, BODY, key=key).json()["id"]
    theirs = create(http, server, OTHER, client="client2", key=key)
    assert theirs.status_code == 202
    assert theirs.json()["id"] != mine


def test_another_clients_job_is_403(server: Server, http: httpx.Client) -> None:
    job_id = create(http, server, BODY).json()["id"]
    for path in (f"/v1/jobs/{job_id}", f"/v1/jobs/{job_id}/result"):
        assert_error(http.get(path, headers=server.headers("client2")), 403, "forbidden")
    assert_error(http.delete(f"/v1/jobs/{job_id}", headers=server.headers("client2")), 403, "forbidden")


def test_a_bad_idempotency_key_is_422(server: Server, http: httpx.Client) -> None:
    assert_error(create(http, server, BODY, key="with space"), 422, "invalid_request")
    assert_error(create(http, server, BODY, key="k" * 300), 422, "invalid_request")


def test_job_data_is_owner_only_and_deleted_on_request(server: Server, http: httpx.Client) -> None:
    job = wait_for(http, server, create(http, server, BODY).headers["location"])
    folder = server.data_dir / "jobs" / job["id"]
    assert stat.S_IMODE(os.stat(server.data_dir).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["meta.json", "result"]  # the input is removed once checked
    for name in files:
        assert stat.S_IMODE(os.stat(folder / name).st_mode) == 0o600
    assert b"DEMO" not in (folder / "meta.json").read_bytes()  # the record holds no claim content
    assert http.delete(f"/v1/jobs/{job['id']}", headers=server.headers()).status_code == 204
    assert not folder.exists()
    assert_error(http.get(f"/v1/jobs/{job['id']}", headers=server.headers()), 404)


def test_the_spool_is_empty_between_requests(server: Server, http: httpx.Client) -> None:
    assert http.post("/v1/check", content=BODY, headers=server.headers()).status_code == 200
    assert http.post("/v1/check", content=b"junk", headers=server.headers()).status_code == 422
    time.sleep(0.2)  # the answer file goes once it has been sent
    assert list((server.data_dir / "spool").iterdir()) == []
