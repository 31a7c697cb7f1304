"""/ws/rfqs/{id}/ from the outside (api.md "WebSocket"): who may connect, what each audience
receives, private ranks, and resume giving the same sequence as staying connected."""
from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from suppliers.models import Invitation
from tests.api.helpers import mentions_amount
from tests.engine.helpers import bid, reverse_auction, set_deadline, withdraw

from .helpers import closed_with, drain, open_socket, receive, run, session_for, token_for

# Real commits: live messages are sent when the bid's transaction commits.
pytestmark = pytest.mark.django_db(transaction=True)

place = sync_to_async(bid)


def live_events(messages):
    return [body for _, body in messages if body.get("seq") is not None and not body.get("private")
            and body["type"] not in ("state",)]


def test_session_and_token_header_both_connect_and_get_the_state(demo):
    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))

    async def scenario():
        for credentials in ({"session": await session_for(demo, "supplier1")},
                            {"token": await token_for(demo, "supplier1")},
                            {"token": await token_for(demo, "buyer")}):
            socket, connected, _ = await open_socket(f"/ws/rfqs/{rfq}/", **credentials)
            assert connected
            _, state = await receive(socket)
            assert state["type"] == "state" and state["rfq"] == rfq and state["status"] == "open"
            assert isinstance(state["seq"], int) and "server_time" in state
            await socket.send_json_to({"type": "ping"})
            assert (await receive(socket))[1] == {"type": "pong"}
            await socket.disconnect()
    run(scenario)


def test_who_may_not_connect_is_closed_with_the_contract_codes(demo):
    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))

    async def scenario():
        token = await token_for(demo, "supplier1")
        cases = {
            "anonymous": ({}, 4401),
            "token in the query string": ({"path": f"/ws/rfqs/{rfq}/?token={token}"}, 4401),
            "unknown token": ({"token": "0" * 40}, 4401),
            "other tenant's buyer": ({"token": await token_for(demo, "buyer2")}, 4404),
            "uninvited supplier": ({"token": await token_for(demo, "supplier4")}, 4404),
            "no such RFQ": ({"token": token, "path": "/ws/rfqs/987654/"}, 4404),
        }
        for name, (kwargs, code) in cases.items():
            path = kwargs.pop("path", f"/ws/rfqs/{rfq}/")
            socket, connected, _ = await open_socket(path, **kwargs)
            assert connected, name
            assert await closed_with(socket) == code, name
        # A page on another site may not open a socket with the user's cookie.
        socket, connected, _ = await open_socket(f"/ws/rfqs/{rfq}/", session=await session_for(demo, "supplier1"),
                                                 origin="https://evil.example")
        assert not connected
    run(scenario)


@pytest.mark.parametrize("show_leading_bid", [True, False])
@pytest.mark.parametrize("show_bid_count", [True, False])
def test_each_audience_gets_what_the_settings_disclose(demo, api, show_leading_bid, show_bid_count):
    rfq = reverse_auction(demo, suppliers=(1, 2, 3), accept=(1, 2), show_leading_bid=show_leading_bid,
                          show_bid_count=show_bid_count, show_ranking=False)

    async def scenario():
        buyer, _, _ = await open_socket(f"/ws/rfqs/{rfq}/", token=await token_for(demo, "buyer"))
        bidder, _, _ = await open_socket(f"/ws/rfqs/{rfq}/", token=await token_for(demo, "supplier2"))
        observer, _, _ = await open_socket(f"/ws/rfqs/{rfq}/", token=await token_for(demo, "supplier3"))
        for socket in (buyer, bidder, observer):
            assert (await receive(socket))[1]["type"] == "state"
        # The buyer heard the two suppliers arrive (its monitor shows who is connected).
        arrivals = await drain(buyer)
        assert [body for _, body in arrivals] == [{"type": "presence_changed", "private": True, "rfq": rfq}] * 2
        assert (await place(api, "supplier1", rfq, "9000.00")).status_code == 201
        supplier1 = await sync_to_async(lambda: demo.supplier(1).name)()

        raw, event = await receive(buyer)
        assert event["type"] == "bid_placed" and event["amount"] == "9000.00"
        assert event["supplier"]["name"] == supplier1 and event["leading_bid"] == "9000.00"
        assert event["bid_count"] == 1 and event["prev_seq"] < event["seq"]

        raw, event = await receive(bidder)
        assert event["type"] == "bid_placed" and event["seq"] == event["seq"]
        assert ("leading_bid" in event) == show_leading_bid and ("bid_count" in event) == show_bid_count
        assert supplier1 not in raw and "supplier" not in event and "bid_id" not in event and "amount" not in event
        if not show_leading_bid:
            assert not mentions_amount(raw, "9000")

        raw, event = await receive(observer)
        assert event["type"] == "bid_placed"
        assert not {"leading_bid", "bid_count", "supplier", "amount"} & set(event) and not mentions_amount(raw, "9000")
        for socket in (buyer, bidder, observer):
            assert await socket.receive_nothing(timeout=0.3)  # no rank messages: show_ranking is off
            await socket.disconnect()
    run(scenario)


def test_rank_changed_reaches_every_supplier_whose_rank_moved_and_nobody_else(demo, api):
    rfq = reverse_auction(demo, suppliers=(1, 2, 3), accept=(1, 2, 3), show_ranking=True)

    async def scenario():
        sockets = {}
        for n in (1, 2, 3):
            sockets[n], _, _ = await open_socket(f"/ws/rfqs/{rfq}/", token=await token_for(demo, f"supplier{n}"))
            await receive(sockets[n])
        buyer, _, _ = await open_socket(f"/ws/rfqs/{rfq}/", token=await token_for(demo, "buyer"))
        await receive(buyer)

        async def ranks_after(n, amount):
            response = await place(api, f"supplier{n}", rfq, amount)
            assert response.status_code == 201
            got = {}
            for k, socket in sockets.items():
                for _, body in await drain(socket):
                    if body["type"] == "rank_changed":
                        assert body["private"] is True
                        got[k] = body["your_rank"]
            assert all(body["type"] != "rank_changed" for _, body in await drain(buyer))
            return got

        assert await ranks_after(1, "9000.00") == {1: 1}
        assert await ranks_after(2, "8800.00") == {2: 1, 1: 2}
        assert await ranks_after(3, "8600.00") == {3: 1, 2: 2, 1: 3}
        assert await ranks_after(1, "8400.00") == {1: 1, 3: 2, 2: 3}
        for socket in (*sockets.values(), buyer):
            await socket.disconnect()
    run(scenario)


def test_a_client_that_resumes_ends_with_the_sequence_of_one_that_never_left(demo, api):
    rfq = reverse_auction(demo, suppliers=(1, 2, 3), accept=(1, 2, 3))

    async def scenario():
        token = await token_for(demo, "supplier3")
        steady, _, _ = await open_socket(f"/ws/rfqs/{rfq}/", token=token)
        flaky, _, _ = await open_socket(f"/ws/rfqs/{rfq}/", token=token)
        start = (await receive(steady))[1]["seq"]
        await receive(flaky)

        assert (await place(api, "supplier1", rfq, "9500.00")).status_code == 201
        assert (await place(api, "supplier2", rfq, "9300.00")).status_code == 201
        seen = live_events(await drain(flaky))
        await flaky.disconnect()

        # While it is away: a refused bid (no live event), bids, a withdrawal, an extension.
        assert (await place(api, "supplier1", rfq, "9299.00")).status_code == 422
        placed = await place(api, "supplier1", rfq, "9100.00")
        assert (await sync_to_async(withdraw)(api, "supplier1", rfq, placed.json()["id"])).status_code == 200
        await sync_to_async(set_deadline)(rfq, 200)  # inside the 5-minute trigger, before the final 2
        assert (await place(api, "supplier2", rfq, "9000.00")).status_code == 201

        flaky, _, _ = await open_socket(f"/ws/rfqs/{rfq}/", token=token)
        await receive(flaky)
        await flaky.send_json_to({"type": "resume", "since": seen[-1]["seq"]})
        replayed = await drain(flaky)
        assert replayed[-1][1]["type"] == "state"  # a fresh state ends the replay
        resumed = seen + live_events(replayed)

        stayed = live_events(await drain(steady))
        assert [e["type"] for e in stayed] == ["bid_placed", "bid_placed", "bid_placed", "bid_withdrawn",
                                               "bid_placed", "deadline_extended"]
        assert resumed == stayed
        assert all(later["prev_seq"] == earlier["seq"] for earlier, later in zip(stayed, stayed[1:], strict=False))
        polled = await sync_to_async(lambda: api("supplier3").get(f"/api/v1/rfqs/{rfq}/events/?since={start}"))()
        assert polled.status_code == 200
        assert [e["seq"] for e in polled.json()] == [e["seq"] for e in stayed]
        assert polled.json() == [{**e, "at": e["at"]} for e in stayed]
        for socket in (steady, flaky):
            await socket.disconnect()
    run(scenario)


def test_bad_messages_get_an_error_and_keep_the_connection(demo):
    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))

    async def scenario():
        socket, _, _ = await open_socket(f"/ws/rfqs/{rfq}/", token=await token_for(demo, "supplier1"))
        await receive(socket)
        # Deep nesting made the decoder raise RecursionError; a seq past bigint failed in the database.
        for text in ("not json", '{"type": "resume", "since": "x"}', '{"type": "resume", "since": -1}', "[1]",
                     "[" * 100_000, '{"type": "resume", "since": 99999999999999999999999}'):
            await socket.send_to(text_data=text)
            _, body = await receive(socket)
            assert body["type"] == "error" and body["error"]["code"] == "bad_request"
        await socket.send_json_to({"type": "ping"})
        assert (await receive(socket))[1] == {"type": "pong"}
        await socket.disconnect()
    run(scenario)


def test_a_revoked_invitation_stops_the_replay(demo, api):
    rfq = reverse_auction(demo, suppliers=(1, 2, 3), accept=(1, 2, 3))

    async def scenario():
        socket, _, _ = await open_socket(f"/ws/rfqs/{rfq}/", token=await token_for(demo, "supplier3"))
        await receive(socket)
        invitation = await sync_to_async(Invitation.objects.get)(rfq_id=rfq, supplier=await sync_to_async(
            demo.supplier)(3))
        response = await sync_to_async(lambda: api("buyer").post(
            f"/api/v1/rfqs/{rfq}/invitations/{invitation.pk}/revoke/", {"reason": "conflict of interest"},
            format="json"))()
        assert response.status_code == 200, response.content
        await socket.send_json_to({"type": "resume", "since": 0})
        assert await closed_with(socket) == 4404
    run(scenario)


def test_presence_follows_connections(demo):
    from common import presence

    rfq = reverse_auction(demo, suppliers=(1, 2), accept=(1, 2))

    async def scenario():
        supplier = await sync_to_async(demo.supplier)(1)
        buyer = await sync_to_async(demo.user)("buyer")
        first, _, _ = await open_socket(f"/ws/rfqs/{rfq}/", token=await token_for(demo, "supplier1"))
        second, _, _ = await open_socket(f"/ws/rfqs/{rfq}/", session=await session_for(demo, "supplier1"))
        watcher, _, _ = await open_socket(f"/ws/rfqs/{rfq}/", token=await token_for(demo, "buyer"))
        for socket in (first, second, watcher):
            await receive(socket)
        assert presence.participants(rfq) == {f"supplier:{supplier.pk}", f"buyer:{buyer.pk}"}
        await first.disconnect()
        assert presence.connected_suppliers(rfq) == {supplier.pk}  # its other tab is still open
        await second.disconnect()
        await watcher.disconnect()
        assert presence.participants(rfq) == set()
    run(scenario)


def test_split_quantities_and_bundles_never_reach_a_socket_before_close(demo):
    """Split quantities and bundle prices are sealed content (product.md §7): the live events a
    quote causes, as the buyer and a competitor receive them, carry none of it."""
    from tests.engine.helpers import items
    from tests.engine.test_split_awards import bundle_auction, split_auction

    split, combo = split_auction(demo), bundle_auction(demo)
    rice, combo_items = items(split)[0], items(combo)
    secrets = ("17.25", "75.31", "max_quantity", "min_quantity", "bundles", "33")

    async def scenario():
        sockets = []
        for rfq in (split, combo):
            for user in ("buyer", "supplier2"):
                socket, connected, _ = await open_socket(f"/ws/rfqs/{rfq}/", token=await token_for(demo, user))
                assert connected
                sockets.append(socket)
        await drain_all(sockets)
        client = demo.client("supplier1")
        quoted = await sync_to_async(client.post)(f"/api/v1/rfqs/{split}/bids/", {"line_items": [
            {"line_item_id": rice, "unit_price": "17.25", "max_quantity": 33, "min_quantity": 11}]}, format="json")
        assert quoted.status_code == 201, quoted.content
        quoted = await sync_to_async(client.post)(f"/api/v1/rfqs/{combo}/bids/", {"bundles": [
            {"line_item_ids": combo_items, "price": "75.31"}]}, format="json")
        assert quoted.status_code == 201, quoted.content
        received = [text for socket in sockets for text, _ in await drain(socket)]
        assert received, "the quotes were announced"
        # A secret as a JSON string or a whole JSON number (followed by `,` or `}`), so a
        # timestamp's minutes or seconds ("…T10:33:17.25…") never pass for one.
        leaked = [s for text in received for s in secrets
                  if f'"{s}"' in text or f":{s}," in text or f":{s}}}" in text]
        assert not leaked
        for socket in sockets:
            await socket.disconnect()

    async def drain_all(sockets):
        for socket in sockets:
            await drain(socket)

    run(scenario)
