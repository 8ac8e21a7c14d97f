"""Schemathesis against the live schema, over real HTTP: every operation, with a partner
system's token and with no credentials, answers without a server error and as documented
(status code, content type, headers, body).

The operations are read from the running server's /api/v1/openapi.json, so a new operation
is covered without touching this file. (`schemathesis.pytest.from_fixture` would do the same
loop, but schemathesis 4.32 sets `Function._nodeid`, which pytest 9.2 no longer has.)
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.api.conftest import bearer

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
    # A successful call is sent again without credentials, and with made-up ones: both
    # must be refused.
    schemathesis.checks.ignored_auth,
]
EXAMPLES_PER_OPERATION = 40
PARAMETER_CONTAINERS = {"path": "path_parameters", "query": "query"}


@pytest.fixture(params=["token", "anonymous"])
def credentials(request, bridgeway_token) -> dict[str, str]:
    if request.param == "token":
        return bearer(bridgeway_token[1])
    return {}


def probe_cases(
    operation, probes: dict[tuple[str, str], list[str]]
) -> list[schemathesis.Case[Any]]:
    """Requests sent on every run, before the generated ones: random UUIDs only ever find
    no one, and random text rarely hits the edge cases."""
    return [
        operation.Case(**{PARAMETER_CONTAINERS[parameter.location.value]: {parameter.name: value}})
        for parameter in operation.iter_parameters()
        for value in probes.get((parameter.location.value, parameter.name), [])
    ]


def test_every_operation_answers_as_documented(live_server, credentials, caseload, subtests):
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    operations = [operation for methods in schema.values() for operation in methods.values()]
    probes = {
        # Everyone of the scene, including the person of site B.
        ("path", "person_id"): [str(person.public_id) for person in caseload.values()],
        # A name, an alias, a LIKE wildcard, the longest query and one too long, and NUL
        # (which PostgreSQL text cannot hold).
        ("query", "q"): ["", "Quin", "ro", "Smiley", "%", "_", "x" * 100, "x" * 101, "a\x00b"],
    }
    assert {operation.label for operation in operations} >= {
        "GET /api/v1/me",
        "GET /api/v1/people",
        "GET /api/v1/people/{person_id}",
    }

    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        @given(case=st.one_of([operation.as_strategy(generation_mode=m) for m in GenerationMode]))
        def answers_as_documented(case):
            case.call_and_validate(headers=credentials, checks=CHECKS)

        for case in probe_cases(operation, probes):
            answers_as_documented = example(case=case)(answers_as_documented)
        with subtests.test(operation=operation.label):
            answers_as_documented()
