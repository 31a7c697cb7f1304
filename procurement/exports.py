"""The RFQ list as CSV (api.md "Exports"): the rows GET /rfqs/ gives the caller under the same
filters and page, one line each."""
from __future__ import annotations

from typing import Any

from auctions.exports.text import csv_text

RFQ_COLUMNS = ("id", "reference", "title", "status", "auction_type", "category", "currency", "delivery_port",
               "delivery_date", "bidding_opens_at", "bidding_deadline", "extensions", "line_items",
               "reserve_amount", "published_at", "closed_at")


def _row(rfq: dict[str, Any]) -> list[Any]:
    reserve = rfq.get("reserve_price") or {}
    return [rfq["id"], rfq["reference"], rfq["title"], rfq["status"], rfq["auction"]["type"], rfq["category"],
            rfq["currency"], rfq["delivery_port"], rfq["delivery_date"], rfq["bidding_opens_at"],
            rfq["bidding_deadline"], rfq["extensions"], len(rfq["line_items"]), reserve.get("amount"),
            rfq["published_at"], rfq["closed_at"]]


def rfq_list_csv(data: list[dict[str, Any]] | dict[str, Any]) -> str:
    """`data` is the list response's body: the whole array, or a page with its results."""
    rows = data["results"] if isinstance(data, dict) else data
    return csv_text([list(RFQ_COLUMNS), *(_row(rfq) for rfq in rows)])
