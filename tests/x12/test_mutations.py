"""Property: any mutation of a good file yields a report or a clean 'not X12' error, never a crash."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrubber.errors import UnreadableInput
from scrubber.report.model import FileReport
from scrubber.synthetic import random_claims, render_837
from scrubber.workflows.api import Scrubber
from tests.conftest import TR3_DIR

GOOD = render_837(list(random_claims(4, seed=3)), claims_per_transaction=2).encode()
TR3 = (TR3_DIR / "commercial-health-insurance.edi").read_bytes()
SCRUBBER = Scrubber(structure="off")
X12_BYTES = st.sampled_from(list(b"~*:^>\n\r|ISAGSTCLMHISV1LXDTP0123456789 \x00\xff"))


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from([GOOD, TR3])))
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["delete", "insert", "replace", "truncate", "duplicate"]))
        if action == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif action == "insert":
            data[at:at] = bytes(draw(st.lists(X12_BYTES, min_size=1, max_size=12)))
        elif action == "replace":
            data[at] = draw(X12_BYTES)
        elif action == "truncate":
            del data[at:]
        else:
            end = min(len(data), at + draw(st.integers(1, 80)))
            data[at:at] = data[at:end]
    return bytes(data)


def check(data: bytes) -> None:
    try:
        report = SCRUBBER.report(data)
    except UnreadableInput as error:
        assert error.reason and "\n" not in str(error)
        return
    assert isinstance(report, FileReport)
    assert report.summary.claims == len(report.claims)
    assert report.summary.accepted + report.summary.rejected == report.summary.claims
    report.to_json()  # every report serialises


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutations_never_crash(data):
    check(data)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_crash(data):
    check(data)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_after_a_valid_isa_never_crash(data):
    check(TR3[:106] + data)
