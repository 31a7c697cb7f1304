"""Input fields that take JSON's types as the schema states them.

DRF coerces: a CharField stringifies 0 and true, an IntegerField takes "5" and 5.0, a
BooleanField takes "yes" and 1. The OpenAPI schema says string, integer and boolean, so a
request outside it (`{"reason": 0}`) is a 400, as every other schema violation is.
"""
from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """A CharField that refuses numbers and booleans instead of silently stringifying them."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """An IntegerField that refuses strings, floats and booleans."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """A BooleanField that takes only JSON true and false."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data
