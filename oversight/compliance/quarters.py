"""Calendar quarters in UTC, named like "2026-Q3"."""
from __future__ import annotations

import datetime
import re

QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.ASCII)


def quarter_name(day: datetime.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_bounds(name: str) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) of the quarter in UTC."""
    match = QUARTER.match(name)
    if match is None:
        raise ValueError(f"{name!r} is not a quarter like 2026-Q3")
    year, number = int(match[1]), int(match[2])
    start = datetime.datetime(year, 3 * number - 2, 1, tzinfo=datetime.UTC)
    end = (datetime.datetime(year + 1, 1, 1, tzinfo=datetime.UTC) if number == 4
           else datetime.datetime(year, 3 * number + 1, 1, tzinfo=datetime.UTC))
    return start, end


def last_complete_quarter(now: datetime.datetime) -> str:
    """The quarter before the one `now` falls in."""
    start, _ = quarter_bounds(quarter_name(now.astimezone(datetime.UTC).date()))
    return quarter_name((start - datetime.timedelta(days=1)).date())
