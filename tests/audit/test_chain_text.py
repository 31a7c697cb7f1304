"""An appended event's payload is encoded once (audit.chain.normalised_and_json): the hash made
from that text, and the column written from it, are what encoding the payload each time gives.

verify_events recomputes every hash the plain way, from the payload as the column gives it back;
these properties hold the two ways to the same text on any payload, not only the bid path's.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from audit.chain import canonical_json, event_hash, normalise_payload, normalised_and_json
from audit.models import AuditEvent
from oversight.selectors import audit_verify
from tests.engine.helpers import reverse_auction

scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=False) | st.text()
           | st.decimals(allow_nan=False, allow_infinity=False, places=4)
           | st.datetimes(timezones=st.just(UTC)))


def payloads(*key_strategies):
    """Top-level keys are strings; a nested dict's keys are all of one of `key_strategies` (mixed,
    JSON's sort_keys refuses them however the payload is encoded)."""
    def nested(inner):
        return st.lists(inner, max_size=4) | st.one_of(*(st.dictionaries(keys, inner, max_size=4)
                                                         for keys in key_strategies))
    return st.dictionaries(st.text(), st.recursive(scalars, nested, max_leaves=20), max_size=6)


AT = datetime(2026, 12, 6, 15, 0, 0, 123456, tzinfo=UTC)


def hashes(payload: dict) -> tuple[str, str]:
    """The hash of the plain way (what verification computes) and of the text made once."""
    normal, text = normalised_and_json(payload)
    fields = {"stream": "rfq:7", "seq": 42, "type": "bid.placed", "actor_id": 3, "actor_name": "Zoë \"quoted\"",
              "at": AT, "prev_hash": "ab" * 32}
    return (event_hash(**fields, payload=normalise_payload(payload)),
            event_hash(**fields, payload=normal, payload_json=text))


@given(payloads(st.text()))
@example({"amount": Decimal("9500.00"), "at": AT, "lines": [{"id": 1, "price": Decimal("1.5")}], "note": "é\u2028"})
def test_with_string_keys_the_text_made_once_hashes_as_the_payload_does(payload):
    plain, once = hashes(payload)
    assert once == plain
    normal, text = normalised_and_json(payload)
    assert normal == normalise_payload(payload) and json.loads(text) == normal
    assert text == canonical_json(normal)  # what verification encodes from the column


@given(payloads(st.text(), st.integers(min_value=-1000, max_value=1000)))
@example({"ranks": {2: "b", 10: "a"}})  # sorted as numbers, then as the strings they become
def test_with_any_keys_too(payload):
    plain, once = hashes(payload)
    assert once == plain


@pytest.mark.django_db
def test_the_column_written_from_the_text_reads_back_as_the_payload(demo):
    """The bid path writes the payload column from the text (common.db.json_parameter): an event
    placed that way reads back equal to its payload, and the chain verifies."""
    rfq_id = reverse_auction(demo)
    assert demo.client("supplier1").post(f"/api/v1/rfqs/{rfq_id}/bids/", {"amount": "9500.00"},
                                         format="json").status_code == 201
    placed = AuditEvent.objects.get(rfq_id=rfq_id, type="bid.placed")
    assert placed.payload["amount"] == "9500.00" and isinstance(placed.payload, dict)
    assert audit_verify().ok
