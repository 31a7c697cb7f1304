"""Auction mechanisms: settings validation and defaults, AHP weights, templates."""
from decimal import Decimal

import pytest
from rest_framework import serializers

from auctions.mechanisms import REGISTRY, get_mechanism, settings_problems
from auctions.mechanisms.fields import parse_ratio
from auctions.mechanisms.multi_attribute import ahp_weights
from auctions.scenarios import TEMPLATES


def test_the_four_types_are_registered():
    assert set(REGISTRY) == {"SEALED_BID", "REVERSE_AUCTION", "MULTI_ATTRIBUTE", "COMBINATORIAL"}


def test_an_unknown_type_is_named_in_the_error():
    with pytest.raises(serializers.ValidationError, match="DUTCH"):
        get_mechanism("DUTCH")


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.id)
def test_every_template_is_a_valid_configuration(template):
    settings = template.settings()
    assert settings_problems(template.auction_type, settings) == []
    # Validation is idempotent: stored settings validate to themselves.
    assert get_mechanism(template.auction_type).validate_settings(settings) == settings


def test_reverse_defaults_are_complete_and_json_ready():
    settings = get_mechanism("REVERSE_AUCTION").default_settings()
    assert settings["minimum_decrement"] == "1.00"
    assert settings["starting_price"] is None
    assert (settings["extension_trigger_minutes"], settings["extension_duration_minutes"],
            settings["max_extensions"], settings["rate_limit_bids_per_minute"]) == (5, 3, 10, 6)


@pytest.mark.parametrize("raw", [
    {"starting_price": "100.00"},  # the default decrement is compared with the starting price
    {"decrement_type": "PERCENTAGE"},  # the default decrement is checked as a percentage
])
def test_reverse_defaults_take_part_in_cross_field_checks(raw):
    settings = get_mechanism("REVERSE_AUCTION").validate_settings(raw)
    assert Decimal(settings["minimum_decrement"]) == Decimal("1.00")


@pytest.mark.parametrize("raw, field", [
    ({"starting_price": "1.00"}, "minimum_decrement"),
    ({"decrement_type": "PERCENTAGE", "minimum_decrement": "50.01"}, "minimum_decrement"),
    ({"extension_trigger_minutes": 5, "extension_duration_minutes": 0}, "extension_duration_minutes"),
    ({"rate_limit_bids_per_minute": 0}, "rate_limit_bids_per_minute"),
    ({"duration_minutes": 1}, "duration_minutes"),
    ({"colour": "blue"}, "colour"),
])
def test_reverse_settings_problems_name_the_setting(raw, field):
    problems = settings_problems("REVERSE_AUCTION", raw)
    assert problems and any(field in p for p in problems), problems


def test_second_price_needs_two_bidders():
    problems = settings_problems("SEALED_BID", {"pricing": "SECOND_PRICE", "minimum_bidders": 1})
    assert problems and "Second-price" in problems[0]


def test_settings_must_be_an_object():
    assert settings_problems("SEALED_BID", ["pricing"])


CONSISTENT = [[1, 3, 5, 7], ["1/3", 1, 3, 5], ["1/5", "1/3", 1, 3], ["1/7", "1/5", "1/3", 1]]


def numbers(matrix):
    return [[parse_ratio(v) for v in row] for row in matrix]


def test_ahp_weights_of_a_perfectly_consistent_matrix():
    # Weights 4:2:1 give a matrix whose eigenvector is exactly those weights and CR 0.
    weights, ratio = ahp_weights([[1, 2, 4], [0.5, 1, 2], [0.25, 0.5, 1]])
    assert weights == pytest.approx([4 / 7, 2 / 7, 1 / 7])
    assert ratio == pytest.approx(0, abs=1e-9)


def test_ahp_weights_of_the_api_md_example():
    weights, ratio = ahp_weights(numbers(CONSISTENT))
    assert sum(weights) == pytest.approx(1)
    assert weights == sorted(weights, reverse=True)
    assert 0 < ratio < 0.10


def test_a_two_by_two_matrix_is_always_consistent():
    weights, ratio = ahp_weights([[1, 3], [1 / 3, 1]])
    assert weights == pytest.approx([0.75, 0.25])
    assert ratio == 0


@pytest.mark.parametrize("value, expected", [(1, 1.0), ("3", 3.0), ("1/3", 1 / 3), (" 1 / 9 ", 1 / 9), (9, 9.0),
                                             ("2.5", 2.5)])
def test_parse_ratio_accepts_saaty_values(value, expected):
    assert parse_ratio(value) == pytest.approx(expected)


@pytest.mark.parametrize("value", [0, 10, "1/10", "1/0", "x", None, True, [1], "NaN", "1e1", -3])
def test_parse_ratio_refuses_the_rest(value):
    with pytest.raises(ValueError):
        parse_ratio(value)


def ahp(matrix):
    return {"scoring_method": "AHP", "criteria": [
        {"id": "delivery_days", "name": "Delivery", "weight": 30, "type": "NUMERIC", "min_value": 0,
         "max_value": 60, "higher_is_better": False},
        {"id": "warranty", "name": "Warranty", "weight": 20, "type": "NUMERIC", "min_value": 0, "max_value": 60},
        {"id": "class_certified", "name": "Class", "weight": 10, "type": "BOOLEAN"}],
        "pairwise": {"order": ["price", "delivery_days", "warranty", "class_certified"], "matrix": matrix}}


def test_an_inconsistent_ahp_matrix_is_refused_with_its_ratio():
    inconsistent = [[1, 9, 9, "1/9"], ["1/9", 1, 9, 9], ["1/9", "1/9", 1, 9], [9, "1/9", "1/9", 1]]
    _, ratio = ahp_weights(numbers(inconsistent))
    problems = settings_problems("MULTI_ATTRIBUTE", ahp(inconsistent))
    assert problems == [f"Auction setting pairwise: The comparisons are inconsistent: consistency ratio "
                        f"{ratio:.3f} (must be below 0.10)."]


def test_the_ahp_order_must_cover_price_and_every_criterion():
    settings = ahp(CONSISTENT)
    settings["pairwise"]["order"] = ["price", "delivery_days", "warranty", "colour"]
    assert any("order must list exactly" in p for p in settings_problems("MULTI_ATTRIBUTE", settings))


@pytest.mark.parametrize("criterion, message", [
    ({"id": "price", "name": "P", "weight": 10, "type": "RATING"}, "reserved"),
    ({"id": "Bad Id", "name": "B", "weight": 10, "type": "RATING"}, "lower-case"),
    ({"id": "speed", "name": "S", "weight": 10, "type": "NUMERIC"}, "min_value and max_value"),
    ({"id": "speed", "name": "S", "weight": 10, "type": "NUMERIC", "min_value": 5, "max_value": 5}, "greater"),
    ({"id": "speed", "name": "S", "weight": 101, "type": "RATING"}, "100"),
])
def test_criteria_are_validated(criterion, message):
    problems = settings_problems("MULTI_ATTRIBUTE", {"criteria": [criterion]})
    assert any(message in p for p in problems), problems


def test_weights_must_not_all_be_zero():
    problems = settings_problems("MULTI_ATTRIBUTE", {"price_weight": 0, "criteria": [
        {"id": "speed", "name": "S", "weight": 0, "type": "RATING"}]})
    assert any("must not all be zero" in p for p in problems)


def test_rating_criteria_default_to_one_to_five():
    settings = get_mechanism("MULTI_ATTRIBUTE").validate_settings(
        {"criteria": [{"id": "service", "name": "Service", "weight": 10, "type": "RATING"}]})
    assert (settings["criteria"][0]["min_value"], settings["criteria"][0]["max_value"]) == (1, 5)


def test_ahp_settings_store_the_derived_weights_and_ratio():
    settings = get_mechanism("MULTI_ATTRIBUTE").validate_settings({
        "scoring_method": "AHP",
        "criteria": [{"id": "delivery_days", "name": "Delivery", "weight": 30, "type": "NUMERIC",
                      "higher_is_better": False, "min_value": 0, "max_value": 60},
                     {"id": "warranty", "name": "Warranty", "weight": 20, "type": "NUMERIC",
                      "higher_is_better": True, "min_value": 0, "max_value": 60}],
        "pairwise": {"order": ["price", "delivery_days", "warranty"],
                     "matrix": [[1, 2, 4], ["1/2", 1, 2], ["1/4", "1/2", 1]]}})
    assert settings["pairwise"]["weights"] == pytest.approx({"price": 4 / 7, "delivery_days": 2 / 7,
                                                             "warranty": 1 / 7}, abs=1e-6)
    assert settings["pairwise"]["consistency_ratio"] == pytest.approx(0, abs=1e-6)
