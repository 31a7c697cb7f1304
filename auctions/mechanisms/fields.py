"""Setting fields shared by the mechanisms."""
from decimal import Decimal

from rest_framework import serializers

from common.money import parse_decimal_string


def percentage(value: Decimal) -> None:
    if not (Decimal("0") < value <= Decimal("50")):
        raise serializers.ValidationError("A percentage decrement must be above 0 and at most 50.")


def parse_ratio(value: object) -> float:
    """A pairwise-comparison entry: a positive number or an "a/b" fraction."""
    if isinstance(value, bool):
        raise ValueError("must be a number or an \"a/b\" fraction")
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str) and "/" in value:
        top, bottom = (parse_decimal_string(part.strip(), what="ratio") for part in value.split("/", 1))
        if bottom == 0:
            raise ValueError("has a zero denominator")
        number = float(top / bottom)
    elif isinstance(value, str):
        number = float(parse_decimal_string(value.strip(), what="ratio"))
    else:
        raise ValueError("must be a number or an \"a/b\" fraction")
    if not (1 / 9 - 1e-9 <= number <= 9 + 1e-9):
        raise ValueError("must lie on Saaty's scale, between 1/9 and 9")
    return number
