"""Schemathesis against a live server: the served OpenAPI schema is the truth (api.md).

Every operation of /api/schema/ is fuzzed over HTTP, on PostgreSQL + Redis (CI), as each role
that can reach past 401/403 and with real object ids so requests get past 404, with valid
(positive) and invalid (negative) data. Every built-in check that makes sense runs:
no 5xx, every status, content type, header and body as documented, invalid data refused,
valid data accepted. One test seeds the world once (a live server's test is transactional:
its database is flushed afterwards) and collects every failure before asserting, so one
run lists them all. Derandomised and bounded: EXAMPLES per operation, role and mode; the
wall time is printed (the budget is ~120 s on a 2-core machine).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from rfqs.models import RFQ

from .helpers import create_draft, place_bid, rfq_in_state

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

EXAMPLES = 10
BUDGET_SECONDS = 120
FUZZ_SETTINGS = settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                         phases=[Phase.explicit, Phase.generate],  # no shrinking: failures are collected
                         suppress_health_check=list(HealthCheck), print_blob=False)

ALL_CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
              response_headers_conformance, response_schema_conformance]
MODE_CHECKS = {GenerationMode.POSITIVE: positive_data_acceptance, GenerationMode.NEGATIVE: negative_data_rejection}

# Schema-valid data a business rule still refuses, by operation: positive_data_acceptance
# would only report the rule, not the schema. Each exclusion says why.
NO_POSITIVE_ACCEPTANCE = {
    # The category slug and port code must name rows of the database; the deadline must be
    # in the future and after bidding opens; auction settings are validated per type.
    ("POST", "/api/v1/rfqs/"): "references to database rows and cross-field rules",
    ("PATCH", "/api/v1/rfqs/{id}/"): "references to database rows and cross-field rules",
    # Supplier ids must be KYC-verified and qualified suppliers (api.md: 400 naming them).
    ("POST", "/api/v1/rfqs/{id}/invitations/"): "the suppliers must exist and be qualified",
    # The bid must name a bid of this RFQ's evaluation; a foreign id is a 400.
    ("POST", "/api/v1/rfqs/{id}/award/"): "the bid must belong to the RFQ",
    # The new deadline must lie in the future: not expressible in JSON Schema.
    ("POST", "/api/v1/rfqs/{id}/reopen/"): "the deadline must be in the future",
    # An amendment must change something, to a later deadline (an earlier one only before
    # opening), with line quantities checked as on create (whole units for split awards).
    ("POST", "/api/v1/rfqs/{id}/amendments/"): "the change is checked against the RFQ's current state",
    # A quote must price exactly this RFQ's line items (their ids come from the database);
    # the rule engine refuses prices with 422 (api.md).
    ("POST", "/api/v1/rfqs/{id}/bids/"): "line item ids come from the database; rules answer 422",
    # The uploaded file's type is checked by content (api.md), random bytes are refused.
    ("POST", "/api/v1/suppliers/me/kyc-documents/"): "the file type is checked by its content",
    ("POST", "/api/v1/rfqs/{id}/attachments/"): "the file type is checked by its content",
    ("POST", "/api/v1/rfqs/{id}/bids/{bid_id}/attachments/"): "the file type is checked by its content",
    # The live server speaks WSGI: there the stream answers 421 by design (the ASGI server
    # serves it; a WSGI worker would be held for the stream's life). Its 421 is documented.
    ("GET", "/api/v1/rfqs/{id}/events/stream/"): "421 under the WSGI live server",
    # A simulation's work combines runs, bidders, the formats and the RFQ's lines; one too large
    # to compute is a 400 naming how many runs fit (not expressible in JSON Schema).
    ("POST", "/api/v1/rfqs/{id}/simulations/"): "the work bound combines runs, bidders, formats and lines",
    # Wrong credentials are a 400 by api.md (not a 401): random credentials never sign in.
    ("POST", "/api/v1/auth/token/"): "random credentials are refused with 400 (api.md)",
}

CONFIG = SchemathesisConfig.from_dict({
    # PostgreSQL text cannot hold NUL: the API refuses "\u0000" anywhere in a request with 400
    # (common/parsers.py), as the schema's description says. Generating it would only
    # reach that one refusal, in place of the operation.
    "generation": {"allow-x00": False},
    "checks": {
        # 422 is the bidding rules' refusal (api.md), a business answer to well-formed data.
        "positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]},
    },
})

BUYER, SUPPLIER, COMPLIANCE = "buyer", "supplier1", "compliance"
INVITEE = "supplier2"  # holds a pending invitation to answer


@dataclass
class World:
    """Real ids, by role and operation, so requests reach past 404."""

    open_rfq: int
    sealed_open_rfq: int
    evaluation_rfq: int
    draft_rfq: int
    bid: int
    invitation: int
    pending_invitation: int
    kyc_supplier: int
    tokens: dict[str, str] = field(default_factory=dict)

    def path_parameters(self, path: str) -> dict:
        rfq = self.open_rfq
        if path.endswith(("/evaluation/", "/fairness-report/", "/certify/", "/alerts/", "/award/", "/evaluate/",
                          "/outcome/")):
            rfq = self.evaluation_rfq
        elif path in ("/api/v1/rfqs/{id}/", "/api/v1/rfqs/{id}/publish/"):
            rfq = self.draft_rfq
        elif path.endswith("/bids/"):
            rfq = self.sealed_open_rfq
        if path.startswith("/api/v1/rfqs/"):
            return {"id": rfq, "bid_id": self.bid, "invitation_id": self.invitation}
        if path.startswith("/api/v1/invitations/"):
            return {"id": self.pending_invitation}
        if path.startswith("/api/v1/suppliers/"):
            return {"id": self.kyc_supplier}
        return {}


def roles_for(method: str, path: str) -> list[str]:
    """The roles that get past 401/403 on this operation (api.md)."""
    if path.startswith("/api/v1/invitations/{id}/"):
        return [INVITEE]
    if path.startswith(("/api/v1/suppliers/me/", "/api/v1/invitations/")) or path.endswith(("/withdraw/", "/outcome/")):
        return [SUPPLIER]
    if path.startswith("/api/v1/audit/") or path.endswith(("/kyc/approve/", "/kyc/reject/", "/certify/")):
        return [COMPLIANCE]
    if path.endswith("/bids/"):
        return [BUYER, SUPPLIER] if method == "GET" else [SUPPLIER]
    if path.endswith(("/evaluation/", "/fairness-report/")) or path == "/api/v1/suppliers/":
        return [BUYER, COMPLIANCE]
    if path in ("/api/v1/rfqs/", "/api/v1/rfqs/{id}/", "/api/v1/rfqs/{id}/state/", "/api/v1/rfqs/{id}/events/") \
            and method == "GET":
        return [BUYER, SUPPLIER]
    return [BUYER]


def build_world(demo) -> World:
    from auctions.models import Bid

    open_rfq = rfq_in_state(demo, "open")
    sealed_open = RFQ.objects.get(pk=open_rfq)
    assert sealed_open.auction_type == "SEALED_BID"
    bid = place_bid(demo, open_rfq)
    evaluation = rfq_in_state(demo, "evaluation")
    draft = create_draft(demo, suppliers=(1, 2))
    pending = rfq_in_state(demo, "published")
    invitation = RFQ.objects.get(pk=open_rfq).invitations.get(supplier=demo.supplier(1))
    pending_invitation = RFQ.objects.get(pk=pending).invitations.get(supplier=demo.supplier(2))
    world = World(open_rfq=open_rfq, sealed_open_rfq=open_rfq, evaluation_rfq=evaluation, draft_rfq=draft,
                  bid=bid.pk, invitation=invitation.pk, pending_invitation=pending_invitation.pk,
                  kyc_supplier=demo.supplier(5).pk)
    assert Bid.objects.filter(pk=world.bid).exists()
    for username in (BUYER, SUPPLIER, COMPLIANCE, INVITEE):
        token, _ = Token.objects.get_or_create(user=demo.user(username))
        world.tokens[username] = token.key
    return world


# Destructive operations last, so the reads and the other writes meet the objects as built.
LAST = ("/cancel/", "/close/", "/evaluate/", "/award/", "/withdraw/", "/decline/", "/revoke/")


def ordered(operations):
    return sorted(operations, key=lambda op: (op.path.endswith(LAST), op.method != "get", op.path, op.method))


def fuzz_operation(operation, world: World, role: str, failures: list[str], statuses: dict) -> None:
    names = {p.name for p in operation.path_parameters}
    ids = {n: v for n, v in world.path_parameters(operation.path).items() if n in names}
    excluded_positive = (operation.method.upper(), operation.path) in NO_POSITIVE_ACCEPTANCE
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        strategies = [operation.as_strategy(generation_mode=mode, path_parameters=ids) if ids
                      else operation.as_strategy(generation_mode=mode)]
        if ids and mode == GenerationMode.NEGATIVE:
            strategies.append(operation.as_strategy(generation_mode=mode))  # invalid ids too
        checks = list(ALL_CHECKS)
        if not (mode == GenerationMode.POSITIVE and excluded_positive):
            checks.append(MODE_CHECKS[mode])
        label = f"{operation.method.upper()} {operation.path} as {role} ({mode.value})"
        try:
            fuzz_cases(st.one_of(strategies), world.tokens[role], checks, label, failures,
                       statuses.setdefault(f"{operation.method.upper()} {operation.path}", set()))
        except Unsatisfiable:
            # Nothing in this operation can be made invalid (e.g. a GET without parameters).
            assert mode == GenerationMode.NEGATIVE


def fuzz_cases(strategy, token: str, checks: list, label: str, failures: list[str], statuses: set) -> None:
    headers = {"Authorization": f"Token {token}"}

    @FUZZ_SETTINGS
    @given(case=strategy)
    def run(case):
        response = case.call(headers=headers, timeout=30)
        statuses.add(response.status_code)
        try:
            case.validate_response(response, checks=checks, headers=headers)
        except FailureGroup as group:
            for failure in group.exceptions:
                failures.append(f"{label}: {response.status_code} {failure.title}: {failure.message}\n"
                                f"    {response.text[:300]}\n    {case.as_curl_command(headers)}")

    run()


@pytest.mark.django_db(transaction=True)
def test_the_served_schema_is_the_truth(live_server, demo, settings):
    settings.DEBUG = False
    world = build_world(demo)
    started = time.monotonic()
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json", config=CONFIG)
    operations = ordered(result.ok() for result in schema.get_all_operations())
    failures: list[str] = []
    statuses: dict[str, set[int]] = {}
    for operation in operations:
        for role in roles_for(operation.method.upper(), operation.path):
            fuzz_operation(operation, world, role, failures, statuses)
    elapsed = time.monotonic() - started
    print(f"\nschema fuzz: {len(operations)} operations, {EXAMPLES} examples per operation, role and mode, "
          f"{elapsed:.1f} s wall")
    for label, seen in sorted(statuses.items()):
        print(f"  {label}: {sorted(seen)}")
    unique = list(dict.fromkeys(failures))
    assert not unique, f"{len(unique)} failures:\n" + "\n".join(unique)
    # Real ids reach real objects: the set-up is not fuzzing 404s only.
    assert 200 in statuses["GET /api/v1/rfqs/{id}/"] and 200 in statuses["GET /api/v1/rfqs/{id}/evaluation/"]
