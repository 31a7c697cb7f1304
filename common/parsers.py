"""The API's JSON parser: refuses text that no column can store.

PostgreSQL text cannot hold the NUL character, so a "\\u0000" anywhere in a body (a slug
looked up, a key of a settings object) reached the database as a 500. DRF's CharField
already refuses it; this covers every other place a string can travel, keys included.
"""
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if _has_nul(data):
            raise ParseError("JSON parse error - text may not contain the NUL character (\\u0000).")
        return data
