"""The body of a sealed, multi-attribute or bundle quote from `quayside-bid quote` arguments.

A quote is what api.md's `POST /bids/` takes for those auction types: line prices (split
awards: with the quantity offered and the least supplied), or all-or-nothing bundle prices,
plus validity, terms and criteria. Written here, not on the server: the server checks it.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .errors import QuaysideError
from .money import money_string

AMOUNT = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def quote_body(*, lines: list[str] | None = None, bundles: list[str] | None = None,
               criteria: list[str] | None = None, file: str | None = None, valid_until: str | None = None,
               terms: str | None = None, stdin: Any = None) -> dict[str, Any]:
    """`file` (api.md's JSON; "-" reads `stdin`) is the starting point; the options add to it."""
    body: dict[str, Any] = _read(file, stdin) if file else {}
    if lines:
        body.setdefault("line_items", []).extend(parse_line(text) for text in lines)
    if bundles:
        body.setdefault("bundles", []).extend(parse_bundle(text) for text in bundles)
    if criteria:
        body.setdefault("criteria", {}).update(parse_criterion(text) for text in criteria)
    if valid_until:
        body["valid_until"] = valid_until
    if terms is not None:
        body["terms"] = terms
    if not body.get("line_items") and not body.get("bundles"):
        raise QuaysideError("a quote needs prices: --line ID=PRICE, --bundle ID,ID=PRICE or --file")
    return body


def parse_line(text: str) -> dict[str, Any]:
    """`ID=PRICE`, `ID=PRICE:MAX` or `ID=PRICE:MAX:MIN` (split awards: quantity offered, least supplied)."""
    item, sep, rest = text.partition("=")
    parts = rest.split(":")
    if not sep or not 1 <= len(parts) <= 3:
        raise QuaysideError(f"--line {text!r}: expected ID=PRICE[:MAX[:MIN]], e.g. 3=12.50 or 3=12.50:60:50")
    line: dict[str, Any] = {"line_item_id": _integer(item, text), "unit_price": _money(parts[0], text)}
    for name, value in zip(("max_quantity", "min_quantity"), parts[1:], strict=False):
        line[name] = _integer(value, text)
    return line


def parse_bundle(text: str) -> dict[str, Any]:
    """`ID,ID=PRICE`: all the lines' whole quantities for that total price, or nothing."""
    items, sep, price = text.partition("=")
    if not sep or not items:
        raise QuaysideError(f"--bundle {text!r}: expected ID,ID=PRICE, e.g. 1,2=75.00")
    return {"line_item_ids": [_integer(item, text) for item in items.split(",")], "price": _money(price, text)}


def parse_criterion(text: str) -> tuple[str, Any]:
    """`NAME=VALUE`; the value is read as JSON where it is JSON (14, 2.5, true), else as text."""
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise QuaysideError(f"--criterion {text!r}: expected NAME=VALUE, e.g. delivery_days=14")
    try:
        return name, json.loads(value)
    except ValueError:
        return name, value


def _read(file: str, stdin: Any) -> dict[str, Any]:
    try:
        text = stdin.read() if file == "-" else Path(file).expanduser().read_text()
        body = json.loads(text)
    except ValueError as exc:
        raise QuaysideError(f"{file}: not JSON ({exc})") from exc
    if not isinstance(body, dict):
        raise QuaysideError(f"{file}: a quote is a JSON object (api.md: line_items or bundles, valid_until, terms)")
    return body


def _integer(value: str, text: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise QuaysideError(f"{text!r}: {value!r} is not a whole number") from None


def _money(value: str, text: str) -> str:
    # Plain decimals only, as the API writes money: "1e9" is no price anybody types on purpose.
    if not AMOUNT.fullmatch(value.strip()):
        raise QuaysideError(f"{text!r}: {value!r} is not an amount (digits, optionally a point and decimals)")
    return money_string(value.strip())
