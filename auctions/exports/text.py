"""Tables as CSV text (UTF-8): money as the API writes it (the currency's minor unit), a
score as a number, empty cells empty. A text a spreadsheet would run as a formula (it starts
with = + - @ or a tab or carriage return: a supplier's name, a line's description) is
prefixed with an apostrophe (OWASP "CSV injection")."""
from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from decimal import Decimal
from io import StringIO
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    return str(value)


def csv_text(rows: Iterable[Sequence[Any]]) -> str:
    buffer = StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_text(value) for value in row])
    return buffer.getvalue()
