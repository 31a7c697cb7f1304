"""The API's JSON parser: refuses what no view can use before any view sees it.

- NUL characters: PostgreSQL text cannot hold them, so a "\\u0000" anywhere in a body (a slug
  looked up, a key of a settings object) reached the database as a 500. DRF's CharField
  already refuses it; this covers every other place a string can travel, keys included.
- Deep nesting: `[` × 100 000 made the JSON decoder raise RecursionError (a 500). Nothing in
  the contract nests deeper than a handful of levels, so anything beyond MAX_DEPTH is refused,
  and the checks here walk the value without recursion.
"""
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


def refuse_unusable(data) -> None:
    """Raise ParseError for a NUL character anywhere or nesting deeper than MAX_DEPTH."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise ParseError("JSON parse error - text may not contain the NUL character (\\u0000).")
        elif isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                raise ParseError(f"JSON parse error - nested more than {MAX_DEPTH} levels deep.")
            items = value.items() if isinstance(value, dict) else ((None, item) for item in value)
            for key, item in items:
                pending.append((item, depth + 1))
                if key is not None:
                    pending.append((key, depth))


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON parse error - nested more than {MAX_DEPTH} levels deep.")
        refuse_unusable(data)
        return data
