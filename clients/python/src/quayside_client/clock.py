"""The server's clock, as seen from here: countdowns use the server's time, not the local one.

Each `state` carries `server_time`; the offset is server time minus local time at receipt
(the network delay makes it a little late, which errs on the side of less time left).
"""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 timestamp from the server ("...Z" or "+00:00"), or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class ServerClock:
    def __init__(self, now: Callable[[], float] = time.time) -> None:
        self._now = now
        self.offset = 0.0  # seconds to add to local time to get the server's
        self.observed = False

    def observe(self, server_time: object) -> None:
        moment = parse_time(server_time)
        if moment is not None:
            self.offset = moment.timestamp() - self._now()
            self.observed = True

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._now() + self.offset, tz=UTC)

    def remaining(self, deadline: object) -> timedelta | None:
        """Time left until `deadline` by the server's clock (never negative)."""
        moment = parse_time(deadline)
        if moment is None:
            return None
        return max(moment - self.now(), timedelta(0))


def countdown(left: timedelta | None) -> str:
    if left is None:
        return "--:--:--"
    total = int(left.total_seconds())
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{hours:02d}:{minutes:02d}:{seconds:02d}"
    return f"{days}d {text}" if days else text
