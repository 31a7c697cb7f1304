"""`quayside-bid quote` options → api.md's quote body."""
from __future__ import annotations

import io
import json

import pytest

from quayside_client.errors import QuaysideError
from quayside_client.quote import parse_bundle, parse_criterion, parse_line, quote_body


def test_a_line_with_and_without_split_quantities():
    assert parse_line("3=12.5") == {"line_item_id": 3, "unit_price": "12.5"}
    assert parse_line("3=12.50:60") == {"line_item_id": 3, "unit_price": "12.50", "max_quantity": 60}
    assert parse_line(" 3 = 12.50:60:50") == {"line_item_id": 3, "unit_price": "12.50", "max_quantity": 60,
                                               "min_quantity": 50}


@pytest.mark.parametrize("text", ["3", "=12", "x=12", "3=ten", "3=12:6.5", "3=12:1:2:3", "3=nan", "3=1e999999999"])
def test_a_malformed_line_is_refused_with_what_was_expected(text):
    with pytest.raises(QuaysideError, match=repr(text).replace("[", r"\[")):
        parse_line(text)


def test_a_bundle_and_criteria():
    assert parse_bundle("1,2=75.00") == {"line_item_ids": [1, 2], "price": "75.00"}
    assert parse_criterion("delivery_days=14") == ("delivery_days", 14)
    assert parse_criterion("class_certified=true") == ("class_certified", True)
    assert parse_criterion("port=Rotterdam") == ("port", "Rotterdam")
    for text in ("=75", "1,x=75", "1,2"):
        with pytest.raises(QuaysideError):
            parse_bundle(text)
    with pytest.raises(QuaysideError):
        parse_criterion("14")


def test_options_add_to_the_file(tmp_path):
    path = tmp_path / "quote.json"
    path.write_text(json.dumps({"line_items": [{"line_item_id": 1, "unit_price": "10.00"}], "terms": "FOB"}))
    body = quote_body(lines=["2=20.00"], criteria=["delivery_days=7"], file=str(path), valid_until="2027-01-31")
    assert body == {"line_items": [{"line_item_id": 1, "unit_price": "10.00"},
                                   {"line_item_id": 2, "unit_price": "20.00"}],
                    "terms": "FOB", "criteria": {"delivery_days": 7}, "valid_until": "2027-01-31"}
    assert quote_body(file="-", stdin=io.StringIO('{"bundles": [{"line_item_ids": [1], "price": "9"}]}')) == \
        {"bundles": [{"line_item_ids": [1], "price": "9"}]}


def test_a_quote_without_prices_or_with_a_bad_file_is_refused(tmp_path):
    with pytest.raises(QuaysideError, match="needs prices"):
        quote_body(terms="FOB")
    (tmp_path / "bad.json").write_text("[1]")
    with pytest.raises(QuaysideError, match="a JSON object"):
        quote_body(file=str(tmp_path / "bad.json"))
    (tmp_path / "worse.json").write_text("{")
    with pytest.raises(QuaysideError, match="not JSON"):
        quote_body(file=str(tmp_path / "worse.json"))
