"""schemathesis against the scoring server's own OpenAPI document, over real HTTP.

A real uvicorn server (with the admin route, so it is in the document too) serves the
session's fitted model on a free 127.0.0.1 port; schemathesis loads ``/openapi.json``
from it and, for every operation, sends generated requests, valid and invalid, and checks
each answer: never a 5xx, and the status code, content type and body as the document
declares them. The admin swap is fuzzed twice: without the token (always 401) and with
it (a bad manifest is a 400 or 422, never a 500, and the old model keeps serving).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from workbench.serving import ServingManifest, ServingOptions, build_server

from .conftest import running

pytestmark = pytest.mark.slow
ADMIN_TOKEN = "schemathesis-admin-token-0123456789"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
"""Per operation: 25 generated cases (plus schemathesis' explicit examples and coverage
cases) keep the whole module near 15 s on two loaded cores."""


@pytest.fixture(scope="module")
def admin_url(manifest: ServingManifest) -> Iterator[str]:
    """A server like the default one, plus the admin route behind ``ADMIN_TOKEN``."""
    options = ServingOptions(admin_token=ADMIN_TOKEN)
    with running(build_server(manifest, port=0, options=options)) as url:
        yield url


@pytest.fixture(scope="module")
def served_schema(admin_url: str) -> schemathesis.BaseSchema:
    """The document as the live server publishes it."""
    return schemathesis.openapi.from_url(f"{admin_url}/openapi.json")


schema = schemathesis.pytest.from_fixture("served_schema")


@schema.parametrize()
@FUZZ
def test_every_operation_answers_as_documented_and_never_with_a_5xx(
    case: schemathesis.Case, admin_url: str
) -> None:
    response = case.call_and_validate(base_url=admin_url, checks=CHECKS, timeout=10)
    if case.path == "/admin/swap" and case.method.upper() == "POST":
        assert response.status_code == 401, response.text  # no token, whatever the body
        assert response.json()["error_code"] == "UNAUTHORIZED"


@schema.include(path="/admin/swap", method="POST").parametrize()
@FUZZ
def test_fuzzed_manifests_with_the_token_are_refused_cleanly_and_nothing_is_swapped(
    case: schemathesis.Case, admin_url: str, manifest: ServingManifest
) -> None:
    token = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    response = case.call_and_validate(base_url=admin_url, checks=CHECKS, headers=token, timeout=10)
    refusals = (400, 401, 413, 422) if case.method.upper() == "POST" else (405,)
    assert response.status_code in refusals, response.text
    health = httpx.get(f"{admin_url}/health", timeout=10).json()
    assert health["model_version"] == manifest.version, "a refused swap changes nothing"
