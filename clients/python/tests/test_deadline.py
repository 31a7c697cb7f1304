"""The follower's receive timeout (deadline.RecvDeadline): the semantics of asyncio.timeout
around each receive, with one lazily moved timer per connection."""
import asyncio
import time

import pytest
from loop_thread import run

from quayside_client.deadline import RecvDeadline


async def later(value, seconds):
    await asyncio.sleep(seconds)
    return value


def test_receives_within_the_timeout_never_time_out_though_together_they_last_longer():
    async def main():
        deadline = RecvDeadline()
        values = [await deadline.wait(later(i, 0.03), 0.1) for i in range(8)]  # 0.24 s in all
        deadline.close()
        return values

    assert run(main()) == list(range(8))


def test_a_silent_receive_times_out_after_its_own_timeout_even_a_shorter_one_than_before():
    async def main():
        deadline = RecvDeadline()
        await deadline.wait(later(1, 0.01), 5.0)  # arms a timer for 5 s
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            await deadline.wait(asyncio.Event().wait(), 0.1)
        elapsed = time.monotonic() - started
        deadline.close()
        return elapsed

    assert 0.08 < run(main()) < 1.0


def test_time_between_receives_is_not_counted_and_is_not_interrupted():
    async def main():
        deadline = RecvDeadline()
        await deadline.wait(later(1, 0.01), 0.05)
        await asyncio.sleep(0.15)  # the application's own work: the timer fires, and leaves it alone
        value = await deadline.wait(later(2, 0.02), 0.05)
        with pytest.raises(TimeoutError):  # and it still works after that
            await deadline.wait(asyncio.Event().wait(), 0.05)
        deadline.close()
        return value

    assert run(main()) == 2


def test_a_cancel_from_outside_stays_a_cancel():
    async def main():
        async def receive():
            deadline = RecvDeadline()
            await deadline.wait(asyncio.Event().wait(), 10.0)

        task = asyncio.ensure_future(receive())
        await asyncio.sleep(0.02)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        outer = None
        try:  # an asyncio.timeout around it still ends as its own TimeoutError
            async with asyncio.timeout(0.05):
                await receive()
        except TimeoutError as exc:
            outer = exc
        return outer

    assert isinstance(run(main()), TimeoutError)
