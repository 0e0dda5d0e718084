"""Property-based tests from the service's own ``/openapi.json`` (schemathesis): every answer has a
documented status, content type and shape, and no input, valid or not, makes the server fail (5xx).

Each operation's cases come from ``operation.as_strategy()`` under hypothesis (schemathesis's lazy
pytest loader does not run under this pytest); ``SCRUBBER_FUZZ_EXAMPLES`` sets the examples per
operation and mode.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from bench.serving import Server
from tests.conftest import slow
from tests.service.conftest import DEMO

EXAMPLES = int(os.environ.get("SCRUBBER_FUZZ_EXAMPLES", "10"))
# Left out: "a schema-valid request must be accepted". What makes a check request valid is more
# than OpenAPI can say: the body must be X12 (any bytes fit its schema), ?format= and ?ack= exclude
# each other, a 999 needs the structure check, a code lookup needs a date from 2015-10-01 on; those
# are 422 by design. Positive cases send the demo file as the body, so their 200 answers (the
# report and its schema) are checked all the same.
EXCLUDED = [positive_data_acceptance]


@pytest.fixture(scope="module")
def fuzzed(server: Server) -> Server:
    return server


# Quick: valid requests; the full suite adds invalid ones (tests/service/test_errors.py names the
# refusals one by one quickly).
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, slow(GenerationMode.NEGATIVE)], ids=str)
def test_the_api_keeps_its_description(mode: GenerationMode, fuzzed: Server) -> None:
    schema = schemathesis.openapi.from_url(f"{fuzzed.url}/openapi.json")
    auth = {"Authorization": f"Bearer {fuzzed.token}"}
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        takes_body = operation.method.upper() == "POST"
        if mode is GenerationMode.POSITIVE and takes_body:
            strategy = operation.as_strategy(mode, body=DEMO.read_bytes(), media_type="application/octet-stream")
        else:
            strategy = operation.as_strategy(mode)

        @given(case=strategy)
        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def run(case) -> None:  # type: ignore[no-untyped-def]
            # The real token replaces the generated one; a case without the header (a negative
            # case that drops it) is sent without, and must get a 401.
            headers = auth if "Authorization" in (case.headers or {}) else {}
            case.call_and_validate(headers=headers, timeout=120, excluded_checks=EXCLUDED)

        try:
            run()
        except Unsatisfiable:  # no invalid request exists (an operation without parameters)
            continue
        except Exception as error:  # one line per operation that broke its description
            failures.append(f"{operation.label}: {type(error).__name__}: {str(error)[:2000]}")
    assert operations >= 12
    assert not failures, "\n\n".join(failures)
    assert fuzzed.process is not None and fuzzed.process.poll() is None
