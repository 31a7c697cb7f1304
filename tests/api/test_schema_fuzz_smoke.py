"""A small in-process schema fuzz for the embedded default (SQLite, no services).

The full fuzz (test_schema_fuzz.py: a live server, PostgreSQL + Redis, every check) runs in
CI. This smoke loads the schema from the app in-process (WSGI, requests share the test's
database transaction) and sends a few derandomised examples per operation: no 5xx, and every
status and body as documented.
"""
from contextlib import contextmanager

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from rfqs.models import RFQ

from .helpers import rfq_in_state

EXAMPLES = 3
FUZZ_SETTINGS = settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                         suppress_health_check=list(HealthCheck), print_blob=True)


def operation_labels() -> list[tuple[str, str]]:
    """(METHOD, path) of every documented operation, known at collection time."""
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    return [(method.upper(), path) for path, ops in sorted(paths.items()) for method in ops]


OPERATIONS = operation_labels()
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
# Supplier-only endpoints are fuzzed as a supplier too, so their bodies get past the role check.
SUPPLIER_PREFIXES = ("/api/v1/suppliers/me/", "/api/v1/invitations/")


@contextmanager
def connection_kept():
    """Requests through the real WSGI handler must not recycle the test's database connection.

    Django closes a connection whose autocommit differs from its settings at the start and end
    of each request; inside the test's transaction that would drop the transaction (on
    PostgreSQL). django.test.Client disconnects the same handler around each of its requests
    (and reconnects it after), so this is done around each fuzzing run, not once.
    """
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


@pytest.fixture(scope="module")
def schema(_demo_world, django_db_blocker):
    with django_db_blocker.unblock(), connection_kept():
        return schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


@pytest.fixture
def real_ids(demo):
    """Path parameters that exist, by path prefix, so generated requests reach past the 404."""
    rfq = RFQ.objects.filter(buyer_organization__name="Blue Anchor Shipping", status="open").first()
    invitation = rfq.invitations.get(supplier=demo.supplier(1))
    return {
        "/api/v1/rfqs/": {"id": rfq.pk, "invitation_id": invitation.pk},
        "/api/v1/invitations/": {"id": invitation.pk},
        "/api/v1/suppliers/": {"id": demo.supplier(5).pk},  # KYC submitted: decisions can run
    }


def token_header(demo, username: str) -> dict:
    token, _ = Token.objects.get_or_create(user=demo.user(username))
    return {"Authorization": f"Token {token.key}"}


def fuzz(operation, headers: dict, path_parameters: dict) -> list[int]:
    statuses = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        strategies = [operation.as_strategy(generation_mode=mode)]
        names = {p.name for p in operation.path_parameters}
        if names:
            strategies.append(operation.as_strategy(
                generation_mode=mode, path_parameters={n: v for n, v in path_parameters.items() if n in names}))

        @FUZZ_SETTINGS
        @given(case=st.one_of(strategies))
        def run(case):
            response = case.call(headers=headers)
            statuses.append(response.status_code)
            case.validate_response(response, checks=CHECKS, headers=headers)

        try:
            with connection_kept():
                run()
        except Unsatisfiable:
            # Nothing in this operation can be made invalid (e.g. a GET without parameters).
            assert mode == GenerationMode.NEGATIVE
    return statuses


@pytest.mark.parametrize("method, path", OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_server_errors(schema, demo, real_ids, method, path):
    operation = schema[path][method]
    users = ["buyer"] + (["supplier1"] if path.startswith(SUPPLIER_PREFIXES) else [])
    statuses = []
    for username in users:
        ids = next((ids for prefix, ids in real_ids.items() if path.startswith(prefix)), {})
        statuses += fuzz(operation, token_header(demo, username), ids)
    assert statuses, "no request was generated"
    assert all(status < 500 for status in statuses)


def test_the_fuzzed_operations_are_the_served_ones(schema):
    served = sorted((result.ok().method.upper(), result.ok().path) for result in schema.get_all_operations())
    assert served == sorted(OPERATIONS)


def test_fuzzing_reaches_real_objects(schema, demo):
    """A sanity check of the set-up: with real ids, the buyer's RFQ is found (not only 404s)."""
    rfq_id = rfq_in_state(demo, "open")
    operation = schema["/api/v1/rfqs/{id}/"]["GET"]
    statuses = fuzz(operation, token_header(demo, "buyer"), {"id": rfq_id})
    assert 200 in statuses
