"""Every refusal is the one JSON error shape, with the status the contract names."""

from __future__ import annotations

import httpx
import pytest

from bench.serving import Server
from tests.broken_files import BROKEN
from tests.conftest import run_cli, slow
from tests.service.conftest import DEMO, assert_error

BODY = DEMO.read_bytes()


def test_no_token_is_401_with_a_challenge(server: Server, http: httpx.Client) -> None:
    response = http.post("/v1/check", content=BODY, headers={"Content-Type": "application/edi-x12"})
    assert_error(response, 401, "unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "authorization",
    ["Bearer wrong-token-of-some-length", "Basic dXNlcjpwYXNz", "Bearer", "bearer x", "Token abc"],
)
def test_a_wrong_token_is_401(authorization: str, server: Server, http: httpx.Client) -> None:
    headers = {"Authorization": authorization, "Content-Type": "application/edi-x12"}
    assert_error(http.post("/v1/check", content=BODY, headers=headers), 401, "unauthorized")


@pytest.mark.parametrize("path", ["/v1/rules", "/v1/rules/CLM001", "/v1/codes/M62.81", "/metrics", "/v1/schema/report"])
def test_every_api_path_needs_a_token(path: str, http: httpx.Client) -> None:
    assert_error(http.get(path), 401, "unauthorized")


def test_the_probes_and_the_api_description_need_none(http: httpx.Client) -> None:
    assert http.get("/healthz").json() == {"status": "ok"}
    assert http.get("/readyz").json()["status"] == "ready"
    assert http.get("/openapi.json").json()["info"]["title"] == "scrubber"


def test_a_body_over_the_limit_is_413(server: Server, http: httpx.Client) -> None:
    big = BODY * (2 * 1024 * 1024 // len(BODY))  # 2 MiB against a 1 MiB limit
    assert_error(http.post("/v1/check", content=big, headers=server.headers()), 413, "payload_too_large")


def test_a_chunked_body_over_the_limit_is_413(server: Server, http: httpx.Client) -> None:
    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(40):
            yield b"X" * 65536

    assert_error(http.post("/v1/check", content=chunks(), headers=server.headers()), 413, "payload_too_large")
    assert http.get("/healthz").status_code == 200


@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded", "image/png"])
def test_another_content_type_is_415(content_type: str, server: Server, http: httpx.Client) -> None:
    headers = server.headers(**{"Content-Type": content_type})
    assert_error(http.post("/v1/check", content=BODY, headers=headers), 415, "unsupported_media_type")


@pytest.mark.parametrize(
    "content_type", ["text/plain; charset=utf-8", "application/octet-stream", "APPLICATION/EDI-X12"]
)
def test_the_x12_content_types_are_accepted(content_type: str, server: Server, http: httpx.Client) -> None:
    headers = server.headers(**{"Content-Type": content_type})
    assert http.post("/v1/check", content=BODY, headers=headers).status_code == 200


@pytest.mark.parametrize(
    "body", [slow(b""), b"hello, this is not X12", slow(b"\x00\x01\x02" * 100), slow(b'{"claims": []}')]
)
def test_a_body_that_is_not_x12_is_422(body: bytes, server: Server, http: httpx.Client) -> None:
    """The message is the one `scrubber check -` prints for the same bytes (it goes to the sender only)."""
    error = assert_error(http.post("/v1/check", content=body, headers=server.headers()), 422, "not_x12")
    cli = run_cli("check", "-", stdin=body)
    assert cli.code == 2
    assert cli.stderr.strip().splitlines()[-1] == f"scrubber: error: {error['message']}"
    assert "hello" not in server.log()  # never logged


@pytest.mark.parametrize(
    "query",
    [
        "structure=strict",
        "as_of=2026-13-45",
        "as_of=yesterday",
        "as_of=2026-12-01T00:00:00",
        "format=pdf",
        "ack=997",
        "format=json&ack=999",
        "ack=999&structure=off",
        "name=",
        "name=a%0Ab",
        "name=" + "x" * 300,
    ],
)
def test_bad_parameters_are_422(query: str, server: Server, http: httpx.Client) -> None:
    response = http.post(f"/v1/check?{query}", content=BODY, headers=server.headers())
    assert_error(response, 422, "invalid_request")


def test_authentication_comes_before_parameter_checks(http: httpx.Client) -> None:
    response = http.post("/v1/check?structure=strict", content=BODY, headers={"Content-Type": "text/plain"})
    assert_error(response, 401)


def test_unknown_paths_and_methods(server: Server, http: httpx.Client) -> None:
    assert_error(http.get("/v2/check", headers=server.headers()), 404, "not_found")
    assert_error(http.get("/v1/check", headers=server.headers()), 405, "method_not_allowed")
    assert_error(http.get("/v1/rules/NOPE001", headers=server.headers()), 404, "unknown_rule")
    assert_error(http.get("/v1/codes/ZZZ.99", headers=server.headers()), 404, "unknown_code")
    assert_error(http.get("/v1/codes/M62.81?date=2015-01-01", headers=server.headers()), 422)
    assert_error(http.get("/v1/jobs/no-such-job", headers=server.headers()), 404, "not_found")


def test_a_999_of_a_file_without_an_interchange_is_422(server: Server, http: httpx.Client) -> None:
    """A file that reads as X12 but holds no whole ISA/GS cannot be acknowledged by a 999."""
    text = BODY.decode()
    broken = text[: text.index("GS*")].encode()  # an ISA and nothing after it
    response = http.post("/v1/check?ack=999", content=broken, headers=server.headers())
    assert response.status_code in (200, 422)
    if response.status_code == 422:
        assert_error(response, 422)


@pytest.mark.parametrize("name", list(BROKEN))
def test_every_kind_of_broken_file_gets_a_clear_answer(name: str, server: Server, http: httpx.Client) -> None:
    """Unreadable: 422 saying why; readable but broken: the report, rejected; over the limit: 413."""
    broken = BROKEN[name]
    response = http.post("/v1/check", content=broken.data, headers=server.headers())
    if len(broken.data) > 1 << 20:  # the test server's --max-body-mb 1
        assert_error(response, 413, "payload_too_large")
    elif not broken.readable:
        assert broken.error in assert_error(response, 422, "not_x12")["message"]
    else:
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["status"] == "rejected"
        assert tuple(c["claim_id"] for c in report["claims"]) == broken.claims
    assert "Traceback" not in server.log()


def test_the_not_x12_message_describes_the_body_without_quoting_it(server: Server, http: httpx.Client) -> None:
    """A body of segments without an ISA may open with a patient's name: the answer (and the log)
    say what the body looks like, never what it holds."""
    body = b"NM1*IL*1*DOEMARKER*JANE****MI*123456789~DMG*D8*19800101*F~"
    message = assert_error(http.post("/v1/check", content=body, headers=server.headers()), 422, "not_x12")["message"]
    assert "does not start with an ISA" in message and "segments without an interchange header" in message
    assert "DOEMARKER" not in message and "NM1*IL" not in message and "19800101" not in message
    assert "DOEMARKER" not in server.log()
