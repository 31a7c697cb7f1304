"""The reverse bid's plain parse (the hot path) against ReverseBidInput: the same draft for
every body it takes, and the serializer's own answer for every body it passes on."""
import pytest

from auctions.mechanisms import get_mechanism
from auctions.serializers import ReverseBidInput, plain_reverse_draft

BODIES = [
    {"amount": "1000.00"}, {"amount": " 99.5 "}, {"amount": "abc"}, {"amount": ""}, {"amount": "1e3"},
    {"amount": "1" * 64}, {"amount": "1" * 65}, {"amount": 1000}, {"amount": 10.5}, {"amount": True},
    {"amount": None}, {}, {"amount": ["1"]}, {"amount": "5", "currency": "USD"}, {"amount": "5", "currency": "usd"},
    {"amount": "5", "currency": " USD"}, {"amount": "5", "currency": "USDX"}, {"amount": "5", "currency": ""},
    {"amount": "5", "currency": "  "}, {"amount": "5", "currency": None}, {"amount": "5", "currency": 840},
    {"amount": "5", "currency": "U\x00S"}, {"amount": "5", "currency": "\ud800"}, {"amount": "5", "line_item_id": 7},
    {"amount": "5", "line_item_id": 0}, {"amount": "5", "line_item_id": -3}, {"amount": "5", "line_item_id": 2**62},
    {"amount": "5", "line_item_id": 2**62 + 1}, {"amount": "5", "line_item_id": "7"},
    {"amount": "5", "line_item_id": 7.0}, {"amount": "5", "line_item_id": True}, {"amount": "5", "line_item_id": None},
    {"amount": "5", "other": "ignored"}, {"amount": "5", "currency": "EUR", "line_item_id": 3},
    ["amount"], "5", None, 5,
]


def serializer_answer(body):
    serializer = ReverseBidInput(data=body)
    if not serializer.is_valid():
        return "refused", serializer.errors
    return "draft", serializer.to_draft()


@pytest.mark.parametrize("body", BODIES, ids=[repr(body)[:40] for body in BODIES])
def test_plain_parse_agrees_with_the_serializer(body):
    fast = plain_reverse_draft(body)
    kind, answer = serializer_answer(body)
    if fast is not None:  # taken without the serializer: exactly its draft
        assert kind == "draft"
        assert fast == answer
    # Whatever the fast path takes or passes on, the mechanism answers as the serializer does.
    if kind == "draft":
        assert get_mechanism("REVERSE_AUCTION").parse_bid(body) == answer
    else:
        with pytest.raises(Exception) as refused:
            get_mechanism("REVERSE_AUCTION").parse_bid(body)
        assert refused.value.detail == answer


def test_the_common_bodies_take_the_fast_path():
    assert plain_reverse_draft({"amount": "999999.99"}) is not None
    assert plain_reverse_draft({"amount": "5", "currency": "USD", "line_item_id": 2}) is not None
