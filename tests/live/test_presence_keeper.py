"""common.presence.Keeper: a process's connections refreshed together, in one backend call per
round, on the embedded backend and (when REDIS_URL is set) on Redis."""
from __future__ import annotations

import asyncio

from common import presence

from .helpers import run


def test_one_call_refreshes_every_connection_of_the_process_and_a_closed_one_is_dropped(monkeypatch):
    monkeypatch.setattr(presence, "REFRESH_SECONDS", 0.05)
    calls: list[dict] = []
    original = presence.refresh
    monkeypatch.setattr(presence, "refresh", lambda members_of: calls.append(members_of) or original(members_of))

    async def scenario():
        keeper = presence.Keeper()
        for rfq_id, participant, connection in ((9001, "supplier:1", "a"), (9001, "supplier:2", "b"),
                                                (9002, "buyer:3", "c")):
            await keeper.join(rfq_id, participant, connection)
        await asyncio.sleep(0.12)
        assert calls and {rfq: sorted(members) for rfq, members in calls[0].items()} == {
            9001: ["supplier:1|a", "supplier:2|b"], 9002: ["buyer:3|c"]}
        refreshed = len(calls)
        await keeper.leave(9001, "supplier:2", "b")
        await asyncio.sleep(0.12)
        later = calls[refreshed + 1:]  # (one may have been on its way already)
        assert later and all(c == {9001: ["supplier:1|a"], 9002: ["buyer:3|c"]} for c in later)
        assert await asyncio.to_thread(presence.participants, 9001) == {"supplier:1"}
        for rfq_id, participant, connection in ((9001, "supplier:1", "a"), (9002, "buyer:3", "c")):
            await keeper.leave(rfq_id, participant, connection)
        await asyncio.sleep(0.12)
        assert keeper._task.done()  # nothing left to refresh: the task ends
    run(scenario)


def test_a_connection_that_closes_during_a_refresh_is_not_left_behind(monkeypatch):
    monkeypatch.setattr(presence, "REFRESH_SECONDS", 0.02)
    keeper = presence.Keeper()
    original = presence.refresh

    def slow_refresh(members_of):
        # The connection closes (keeper and backend) while this refresh is on its way.
        keeper.discard(9003, "supplier:5", "gone")
        presence.leave(9003, "supplier:5", "gone")
        original(members_of)  # writes it back, as a refresh that overtook the leave would
    monkeypatch.setattr(presence, "refresh", slow_refresh)

    async def scenario():
        await asyncio.to_thread(presence.join, 9003, "supplier:5", "gone")
        keeper.add(9003, "supplier:5", "gone")
        keeper.add(9003, "supplier:6", "stays")
        await asyncio.sleep(0.1)
        assert await asyncio.to_thread(presence.participants, 9003) == {"supplier:6"}
        keeper.discard(9003, "supplier:6", "stays")
        await asyncio.to_thread(presence.leave, 9003, "supplier:6", "stays")
    run(scenario)
