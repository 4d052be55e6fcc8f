"""Fuzzing every operation of the OpenAPI schema with schemathesis, against the live server.

For each operation schemathesis generates requests from the schema — valid ones (positive) and
ones that break it (negative: wrong types, out-of-range numbers, missing parameters) — and
checks every answer: no 5xx, a status code the schema documents, a documented content type, and
a body that matches the response schema.

Schemathesis's own pytest integration does not run under pytest 9, so each operation is driven
through :meth:`APIOperation.as_strategy` and hypothesis directly. Bounded for CI: a few
derandomized examples per operation and mode (about 20 s in all); ``FUZZ_EXAMPLES=200`` for a
deeper, random run.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode, checks
from schemathesis.schemas import APIOperation
from servers import Server

from api.main import create_app
from kg.config import load_settings

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 0)
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES or 5,
    derandomize=not FUZZ_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]

# The schema the code publishes, for the test ids; the test itself loads the served one.
SCHEMA = create_app(load_settings({})).openapi()
LABELS = {
    f"{method.upper()} {path}": bool(spec.get("parameters") or spec.get("requestBody"))
    for path, methods in SCHEMA["paths"].items()
    for method, spec in methods.items()
    if method in ("get", "post", "put", "delete", "patch")
}
"""Each operation, and whether it takes input (only then is there a negative case to make)."""
CASES = [
    pytest.param(label, mode, id=f"{label}-{mode.value}")
    for label, takes_input in LABELS.items()
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if takes_input or mode is GenerationMode.POSITIVE
]


@pytest.fixture(scope="module")
def operations(server: Server) -> dict[str, APIOperation]:
    served = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    found = {}
    for result in served.get_all_operations():
        operation = result.ok()
        found[operation.label] = operation
    return found


def test_the_served_schema_is_the_published_one(operations: dict[str, APIOperation]) -> None:
    assert sorted(operations) == sorted(LABELS)


@pytest.mark.parametrize(("label", "mode"), CASES)
def test_operation(
    server: Server, operations: dict[str, APIOperation], label: str, mode: GenerationMode
) -> None:
    operation = operations[label]

    @FUZZ
    @given(case=operation.as_strategy(generation_mode=mode))
    def fuzz(case: schemathesis.Case) -> None:
        case.call_and_validate(base_url=server.url, checks=CHECKS, timeout=30)

    fuzz()
