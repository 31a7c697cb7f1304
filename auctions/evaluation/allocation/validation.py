"""Checks on a supplier's bundle quote, for the COMBINATORIAL mechanism (messages for a person)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any


def validate_bundles(bundles_raw: Sequence[dict[str, Any]], line_ids: Iterable[int], max_bundles: int) -> list[str]:
    """Problems with `[{"line_item_ids": [...], "price": "75.00"}, ...]`; empty when valid.

    Bundles are named by their index in the quote (`bundles[0]` is the first), the index
    the evaluation reports for a winning bundle.
    """
    known = set(line_ids)
    problems = []
    if len(bundles_raw) > max_bundles:
        problems.append(f"At most {max_bundles} bundles per quote; this quote has {len(bundles_raw)}.")
    first_with: dict[frozenset[int], int] = {}
    for i, raw in enumerate(bundles_raw):
        ids = list(raw.get("line_item_ids") or [])
        if not ids:
            problems.append(f"bundles[{i}] is empty: it must name at least one line item.")
        unknown = sorted({str(x) for x in ids if x not in known})
        if unknown:
            problems.append(f"bundles[{i}] names line items not in this RFQ: {', '.join(unknown)}.")
        if len(set(ids)) != len(ids):
            problems.append(f"bundles[{i}] names a line item twice.")
        if ids and (key := frozenset(ids)) in first_with:
            problems.append(f"bundles[{i}] offers the same line items as bundles[{first_with[key]}].")
        elif ids:
            first_with[key] = i
        problems += _price_problems(i, raw.get("price"))
    return problems


def _price_problems(i: int, raw: Any) -> list[str]:
    try:
        price = Decimal(str(raw)) if raw is not None and not isinstance(raw, (bool, float)) else None
    except InvalidOperation:
        price = None
    if price is None or not price.is_finite():
        return [f"bundles[{i}] needs a price as a decimal string, e.g. \"75.00\"."]
    if price <= 0:
        return [f"bundles[{i}] has price {raw}: a bundle price must be positive."]
    return []
