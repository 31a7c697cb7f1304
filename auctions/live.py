"""What live clients of an auction receive (api.md "WebSocket"), built from the audit trail.

One body per audience, built once and sent to a group (common.realtime):
- `buyer`: the owning buyer organisation and compliance — every bid with its supplier;
- `bidders`: suppliers taking part (accepted invitation) — figures as the settings disclose;
- `observers`: invited suppliers not taking part — what happens to the auction, no figures;
- each bidding supplier privately: `rank_changed` when its own rank moves (show_ranking).

Live events carry the audit `seq` and `prev_seq`, the seq of the live event before; private
messages are marked `"private": true` and take no part in that chain. The same bodies are
served by `/events/?since=` and replayed on `resume`, so a client that missed messages ends
with exactly the sequence a connected one saw.
"""
from __future__ import annotations

from bisect import bisect_left
from decimal import Decimal, InvalidOperation

from audit.models import AuditEvent, rfq_stream
from common import realtime
from common.db import field_values, run_batch
from common.money import format_money
from suppliers.models import InvitationStatus, SupplierCompany

from .mechanisms import bids_per_line, collects_sealed
from .models import Bid, BidStatus

AUDIENCES = ("buyer", "bidders", "observers")
REPLAY_LIMIT = 1000


def _open_book(rfq, payload: dict | None = None) -> bool:
    """Bids are live events only where prices are public while bidding (reverse auctions,
    until a fallback to sealed collection)."""
    return not collects_sealed(rfq)


def _always(rfq, payload: dict) -> bool:
    return True


def _moves_deadline(rfq, payload: dict) -> bool:
    """An amendment reaches live clients when it moves the deadline (their countdown)."""
    return "bidding_deadline" in (payload.get("changes") or {})


# audit type → (live type, is it a live event on this RFQ)
LIVE_TYPES = {
    "bid.placed": ("bid_placed", _open_book),
    "bid.withdrawn": ("bid_withdrawn", _open_book),
    "deadline.extended": ("deadline_extended", _always),
    "rfq.amended": ("deadline_extended", _moves_deadline),  # with `amendment: {number, reason}`
    "rfq.open": ("auction_opened", _always),
    "rfq.reopen": ("auction_opened", _always),
    "rfq.pause": ("auction_paused", _always),
    "rfq.resume": ("auction_resumed", _always),
    "rfq.close": ("auction_closed", _always),
    "rfq.cancel": ("auction_closed", _always),
    "rfq.fallback": ("mode_changed", _always),
}


def register() -> None:
    realtime.register("auction", {audit_type: rule for audit_type, (_, rule) in LIVE_TYPES.items()}, messages_for,
                      private=rank_messages)


# --- audiences ---------------------------------------------------------------------------------

def audience_of(*, user, rfq) -> str:
    """The audience of someone who may see the RFQ (callers checked that with rfq_get)."""
    if not user.is_supplier:
        return "buyer"
    taking_part = rfq.invitations.filter(supplier_id=user.supplier_id, status=InvitationStatus.ACCEPTED).exists()
    return "bidders" if taking_part else "observers"


def groups_of(*, user, rfq) -> list[str]:
    audience = audience_of(user=user, rfq=rfq)
    groups = [realtime.rfq_group(rfq.pk, audience)]
    if audience == "bidders":
        groups.append(realtime.supplier_group(rfq.pk, user.supplier_id))
    return groups


# --- bodies ------------------------------------------------------------------------------------

def live_body(event: AuditEvent, rfq, audience: str, *, supplier_names: dict[int, str] | None = None) -> dict:
    """The message `audience` gets for the live event `event` (its live_prev_seq is set)."""
    live_type, _ = LIVE_TYPES[event.type]
    payload, settings, currency = event.payload, rfq.auction_settings, rfq.currency
    body = {"type": live_type, "seq": event.seq, "prev_seq": event.live_prev_seq, "rfq": rfq.pk, "at": event.at}
    buyer = audience == "buyer"
    figures = buyer or audience == "bidders"
    show_best = buyer or (figures and settings.get("show_leading_bid", True))
    show_count = buyer or (figures and settings.get("show_bid_count", True))
    if event.type in ("bid.placed", "bid.withdrawn"):
        line_id = payload.get("line_item_id")
        best = payload.get("amount") if event.type == "bid.placed" else payload.get(
            "line_best_amount" if line_id is not None else "best_amount")
        if line_id is not None:  # lots: the figures are the bid's line's (api.md `lines`)
            line = {"line_item_id": line_id}
            if show_best:
                line["leading_bid"] = format_money(_decimal(best), currency)
            if show_count:
                line["bid_count"] = payload.get("line_bid_count")
            body["lines"] = [line]
        elif show_best:
            body["leading_bid"] = format_money(_decimal(best), currency)
        if show_count:
            body["bid_count"] = payload.get("bid_count")
        if line_id is not None and buyer:
            body["line_item_id"] = line_id
        if buyer:
            supplier_id = payload.get("supplier_id")
            name = payload.get("supplier") or (supplier_names or {}).get(supplier_id) or _supplier_name(supplier_id)
            body.update(bid_id=payload.get("bid_id"), supplier={"id": supplier_id, "name": name},
                        version=payload.get("version"))
            if event.type == "bid.placed":
                body["amount"] = format_money(_decimal(payload.get("amount")), currency)
    elif event.type == "deadline.extended":
        body.update(bidding_deadline=payload.get("new_deadline"), previous_deadline=payload.get("old_deadline"),
                    extension_number=payload.get("extension_number"), max_extensions=payload.get("max_extensions"))
    elif event.type == "rfq.amended":
        moved = payload["changes"]["bidding_deadline"]
        body.update(bidding_deadline=moved.get("to"), previous_deadline=moved.get("from"),
                    extension_number=payload.get("extension_number"), max_extensions=payload.get("max_extensions"),
                    amendment={"number": payload.get("number"), "reason": payload.get("reason")})
    else:  # a transition of the RFQ
        body.update(status=payload.get("to"), bidding_deadline=payload.get("bidding_deadline"))
        if event.type == "rfq.resume":
            body["paused_seconds"] = payload.get("paused_seconds")
        if event.type == "rfq.fallback":
            body["mode"] = payload.get("mode")
        if event.type in ("rfq.pause", "rfq.cancel", "rfq.fallback") and payload.get("reason"):
            body["reason"] = payload["reason"]
        if live_type == "auction_closed" and figures:
            if bids_per_line(rfq):  # lots: each line's closing figures (api.md `lines`)
                body["lines"] = _closing_lines(rfq, show_best and _open_book(rfq), show_count)
            elif show_best and _open_book(rfq):
                body["leading_bid"] = format_money(rfq.best_amount, currency)
            if show_count and (buyer or _open_book(rfq)):
                body["bid_count"] = rfq.bid_count
    return body


def _closing_lines(rfq, show_best: bool, show_count: bool) -> list[dict]:
    lines = []
    for line_id, best, count in rfq.line_items.order_by("position").values_list("pk", "best_amount", "bid_count"):
        line: dict = {"line_item_id": line_id}
        if show_best:
            line["leading_bid"] = format_money(best, rfq.currency) if best is not None else None
        if show_count:
            line["bid_count"] = count
        lines.append(line)
    return lines


def messages_for(event: AuditEvent) -> list[realtime.Message]:
    """The messages every audience of one audit event gets: the live bodies, and on a sealed
    auction the buyer's private count of quotes. Private ranks: rank_messages."""
    rfq = event.rfq  # the instance the writer just changed, when it passed one (no query)
    if event.live_prev_seq is None:
        if event.type == "bid.placed":  # sealed: the buyer learns that a supplier quoted, nothing else
            return [(realtime.rfq_group(rfq.pk, "buyer"), {
                "type": "bid_placed", "private": True, "seq": event.seq, "rfq": rfq.pk, "at": event.at,
                "bid_count": event.payload.get("bid_count")})]
        return []
    return [(realtime.rfq_group(rfq.pk, audience), live_body(event, rfq, audience)) for audience in AUDIENCES]


def rank_messages(event: AuditEvent):
    """For a live bid or withdrawal on an auction that shows ranks: what builds the private
    `rank_changed` messages from the suppliers connected now (realtime reads them with the
    publish); None when the event moves no one's rank."""
    rfq = event.rfq
    if event.live_prev_seq is None or event.type not in ("bid.placed", "bid.withdrawn") or \
            not rfq.auction_settings.get("show_ranking", True):
        return None

    def build(listening: set[int]) -> list[realtime.Message]:
        # Only to suppliers connected now: one that connects later reads its rank in `state`.
        line = event.payload.get("line_item_id")
        on_line = {} if line is None else {"line_item_id": line}  # lots: the rank on that line
        # The messages differ only in the rank: the rest is encoded once (hundreds per bid in
        # a big auction), and each text ends with its supplier's rank.
        common = realtime.encode({"type": "rank_changed", "private": True, "seq": event.seq, "rfq": rfq.pk,
                                  "at": event.at, **on_line})
        return [(realtime.supplier_group(rfq.pk, supplier_id), _with_rank(common, rank, line))
                for supplier_id, rank in rank_changes(event, rfq).items() if supplier_id in listening]
    return build


def _with_rank(common: str, rank: int | None, line: int | None = None) -> str:
    """`common` (an encoded JSON object) with `"your_rank": rank` as its last member; on a lot,
    first `"lines": [{"line_item_id", "your_rank"}]` as api.md gives per-line figures."""
    value = "null" if rank is None else str(int(rank))
    lines = "" if line is None else f',"lines":[{{"line_item_id":{int(line)},"your_rank":{value}}}]'
    return f'{common[:-1]}{lines},"your_rank":{value}}}'


def rank_changes(event: AuditEvent, rfq) -> dict[int, int | None]:
    """Supplier → new rank, for every supplier whose rank this bid or withdrawal moved.

    Ranks as auctions.selectors.supplier_ranks orders them (best standing amount, then
    supplier id), from the standing bids up to this event: one grouped statement, prepared
    (it runs after every live bid, hundreds of rows in a big auction), and one sort.
    """
    payload = event.payload
    bid_id, supplier_id, line = payload.get("bid_id"), payload.get("supplier_id"), payload.get("line_item_id")
    placed = event.type == "bid.placed"
    statements = [_standing_bests(rfq.pk, event.seq, bid_id, line)]
    if not placed:
        statements.append((f"SELECT amount FROM {Bid._meta.db_table} WHERE id = %s", [bid_id]))
    results = run_batch(statements)
    others = dict(field_values(Bid, results[0], ("supplier", "amount")))
    amount = _decimal(payload.get("amount")) if placed else \
        (field_values(Bid, results[1], ("amount",))[0][0] if results[1] else None)
    own = others.pop(supplier_id, None)
    with_bid = own if amount is None else min(amount, own if own is not None else amount)
    before, after = (own, with_bid) if placed else (with_bid, own)
    return moved_ranks(others, supplier_id, before, after)


def _standing_bests(rfq_id: int, seq: int, bid_id: int | None, line_id: int | None):
    """Each supplier's best standing amount before event `seq`, leaving out bid `bid_id`."""
    sql = (f"SELECT supplier_id, MIN(amount) FROM {Bid._meta.db_table} WHERE rfq_id = %s AND status = %s "
           f"AND amount IS NOT NULL AND audit_seq < %s AND id <> %s")
    params = [rfq_id, BidStatus.ACCEPTED, seq, bid_id if bid_id is not None else 0]
    if line_id is not None:  # lots: ranks are per line
        sql, params = f"{sql} AND line_item_id = %s", [*params, line_id]
    return f"{sql} GROUP BY supplier_id", params


def moved_ranks(others: dict[int, object], supplier: int, before, after) -> dict[int, int | None]:
    """The ranks that change when `supplier`'s best standing amount goes from `before` to
    `after` (None: no standing bid) and every other supplier's stays as in `others`: the
    supplier's own, and those of the others it passes or falls behind (each one place)."""
    ordered = sorted((best, other) for other, best in others.items())
    count = len(ordered)
    was = bisect_left(ordered, (before, supplier)) if before is not None else count
    now = bisect_left(ordered, (after, supplier)) if after is not None else count
    # An other at position i ranks i + 1, plus one if the supplier is ahead of it.
    changes: dict[int, int | None] = {other: i + 1 + (now <= i)
                                      for i, (_, other) in enumerate(ordered[min(was, now):max(was, now)],
                                                                     start=min(was, now))}
    rank_before = was + 1 if before is not None else None
    rank_after = now + 1 if after is not None else None
    if rank_before != rank_after:
        changes[supplier] = rank_after
    return changes


# --- replay --------------------------------------------------------------------------------------

def replay(*, user, rfq, since: int, limit: int = REPLAY_LIMIT) -> list[dict]:
    """The live events after `since` as `user` receives them, oldest first (at most `limit`)."""
    audience = audience_of(user=user, rfq=rfq)
    events = list(AuditEvent.objects.filter(stream=rfq_stream(rfq.pk), seq__gt=since, live_prev_seq__isnull=False)
                  .order_by("seq")[:limit])
    names = {} if audience != "buyer" else dict(SupplierCompany.objects.filter(
        pk__in={e.payload.get("supplier_id") for e in events if e.type == "bid.withdrawn"}).values_list("pk", "name"))
    return [live_body(event, rfq, audience, supplier_names=names) for event in events]


# --- one connection's view (WebSocket and SSE alike) ---------------------------------------------
# Each re-reads the RFQ through rfq_get, so a supplier whose invitation was revoked meanwhile
# gets NotFound rather than another message.

def connection_groups(*, user, rfq_id: int) -> list[str]:
    return groups_of(user=user, rfq=_visible(user, rfq_id))


def state_message(*, user, rfq_id: int) -> dict:
    from .selectors import auction_state

    rfq = _visible(user, rfq_id)
    return {"type": "state", "rfq": rfq.pk, **auction_state(user=user, rfq=rfq)}


def replay_all(*, user, rfq_id: int, since: int) -> list[dict]:
    """Every live event after `since`, in pages of REPLAY_LIMIT until caught up."""
    rfq, events = _visible(user, rfq_id), []
    while True:
        page = replay(user=user, rfq=rfq, since=since)
        events += page
        if len(page) < REPLAY_LIMIT:
            return events
        since = page[-1]["seq"]


def _visible(user, rfq_id: int):
    from auctions.access import rfq_get

    return rfq_get(user=user, pk=rfq_id, with_line_items=False)


def _supplier_name(supplier_id) -> str | None:
    return SupplierCompany.objects.filter(pk=supplier_id).values_list("name", flat=True).first()


def _decimal(value):
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None
