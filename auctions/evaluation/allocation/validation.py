"""Checks on a supplier's bundle quote, for the COMBINATORIAL mechanism (messages for a person)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def validate_bundles(bundles_raw: Sequence[dict[str, Any]], line_ids: Iterable[int], max_bundles: int) -> list[str]:
    """Problems with `[{"line_item_ids": [...], "price": "75.00"}, ...]`; empty when valid."""
    raise NotImplementedError
