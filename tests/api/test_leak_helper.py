"""The leak tests' helper finds an amount wherever a person or a parser would read it, and
nowhere it is only digits inside something else."""
import pytest

from tests.api.helpers import mentions_amount


@pytest.mark.parametrize("text", ['{"amount":"8765.43"}', "USD 8,765.43", "reserve 8765", '[8765]', b'"8765.4300"'])
def test_an_amount_is_found(text):
    assert mentions_amount(text, "8765")


@pytest.mark.parametrize("text", ['"at":"2026-11-21T17:05:04.187651Z"', "hash a8765f0c", "id 187650", "v=18765.43"])
def test_digits_inside_something_else_are_not_an_amount(text):
    assert not mentions_amount(text, "8765")


def test_decimals_are_matched_whole():
    assert mentions_amount("price 33.33 each", "33.33")
    assert not mentions_amount("12:00:33.331Z", "33.33")
