"""A bid attempt as parsed from the request, before any rule has judged it.

Parsing is lenient on purpose: an amount like "NaN", "1e5" or "12.345" is kept with its raw
text so the `amount_format` rule can refuse it by name (422 with the rule id) instead of a
generic 400. Only the shape of the request (types, missing fields) is a 400.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from common.money import round_money


@dataclass(frozen=True)
class MoneyInput:
    """An amount as sent, and its Decimal value when it parses at all."""

    raw: str
    value: Decimal | None

    @classmethod
    def parse(cls, raw: str) -> MoneyInput:
        try:
            value = Decimal(raw.strip())
        except (InvalidOperation, AttributeError):
            value = None
        return cls(raw, value)


@dataclass(frozen=True)
class LineInput:
    line_item_id: int
    unit_price: MoneyInput
    # Split awards (sealed bid, award_mode SPLIT): the most and the least of the line's
    # quantity this quote supplies; None = the whole line, and at least 1.
    max_quantity: int | None = None
    min_quantity: int | None = None


@dataclass(frozen=True)
class BundleInput:
    """A combinatorial quote's all-or-nothing offer: these lines, whole quantity, one price."""

    line_item_ids: tuple[int, ...]
    price: MoneyInput


@dataclass
class BidDraft:
    """What a supplier asks to place. Reverse: `amount`. Sealed / multi-attribute: `lines`.
    Combinatorial: `bundles`."""

    amount: MoneyInput | None = None
    line_item_id: int | None = None  # a per-line reverse bid's line
    lines: list[LineInput] = field(default_factory=list)
    bundles: list[BundleInput] = field(default_factory=list)
    criteria: dict = field(default_factory=dict)
    terms: str = ""
    valid_until: datetime.date | None = None
    currency: str | None = None

    def monies(self) -> list[tuple[str, MoneyInput]]:
        """Every amount in the attempt with the name the supplier knows it by."""
        if self.amount is not None:
            return [("amount", self.amount)]
        return ([(f"line_items[{index}].unit_price", line.unit_price) for index, line in enumerate(self.lines)]
                + [(f"bundles[{index}].price", bundle.price) for index, bundle in enumerate(self.bundles)])

    def total(self, quantities: dict[int, Decimal], digits: int) -> Decimal:
        """The quote's total: Σ quantity × unit price, rounded half-up to the currency's digits.
        A bundle quote's total is its dearest bundle: at most one of them wins (XOR)."""
        if self.bundles:
            exact = max(bundle.price.value for bundle in self.bundles)
            return round_money(exact, digits)
        exact = sum((quantities[line.line_item_id] * line.unit_price.value for line in self.lines), Decimal(0))
        return round_money(exact, digits)
