"""Every bid and version as CSV rows, from exactly what GET /bids/ gives the caller (a buyer
of an unopened sealed RFQ gets the count of quotes and no amount, as the JSON does)."""
from __future__ import annotations

from typing import Any

BID_COLUMNS = ("bid_id", "supplier_id", "supplier", "version", "status", "submitted_at", "withdrawn_at", "amount")
SEALED_COLUMNS = ("sealed", "count_submitted")


def bid_rows(data: list[dict[str, Any]] | dict[str, Any]) -> list[list[Any]]:
    if isinstance(data, dict):  # sealed and unopened
        return [list(SEALED_COLUMNS), [True, data["count_submitted"]]]
    rows: list[list[Any]] = [list(BID_COLUMNS)]
    for bid in sorted(data, key=lambda b: (b["submitted_at"] or "", b["id"])):
        rows.append([bid["id"], bid["supplier"]["id"], bid["supplier"]["name"], bid["version"], bid["status"],
                     bid["submitted_at"], bid["withdrawn_at"], bid["amount"]])
    return rows
