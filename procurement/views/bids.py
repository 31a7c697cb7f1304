"""The bids panel of the buyer's RFQ page, and its self-refreshing fragment.

What it shows is what `auctions.selectors.bids_for` returns: a reverse auction's bids live,
but of a sealed or multi-attribute RFQ before the opening only how many suppliers quoted —
the selector returns no bids at all, so no price can reach the page.
"""
from __future__ import annotations

from django.shortcuts import render

from auctions.access import rfq_get
from auctions.mechanisms import bids_per_line, get_mechanism
from auctions.selectors import EVALUATED_STATES, bids_for
from common import presence
from common.money import money_text
from common.pages import page_view
from oversight.gaming.selectors import gaming_alert_rows
from rfqs.models import RFQStatus
from suppliers.models import InvitationStatus

from .access import may_view_rfqs
from .charts import progression_chart

SHOWN_FROM = (RFQStatus.OPEN, RFQStatus.PAUSED, *EVALUATED_STATES, RFQStatus.CANCELLED)


def bids_panel(*, user, rfq) -> dict | None:
    """The panel's content, or None before bidding has started."""
    if rfq.status not in SHOWN_FROM:
        return None
    sealed = get_mechanism(rfq.auction_type).sealed
    accepted = rfq.invitations.filter(status=InvitationStatus.ACCEPTED).count()
    panel = {"sealed": sealed, "live": rfq.is_live, "evaluated": rfq.status in EVALUATED_STATES,
             "submitted": rfq.bid_count, "accepted": accepted, "rows": None,
             "alerts": gaming_alert_rows(user=user, rfq=rfq)}
    if rfq.is_live:
        online = presence.connected_suppliers(rfq.pk)
        panel["online"] = sorted(rfq.invitations.filter(supplier_id__in=online).values_list("supplier__name",
                                                                                          flat=True))
    bids = bids_for(user=user, rfq=rfq)
    if bids is None:
        return panel  # sealed and unopened: the count only
    bids = list(bids)
    lots = _lots(rfq, bids) if bids_per_line(rfq) else None
    leading = {lot["best_bid_id"] for lot in lots} if lots else {rfq.best_bid_id}
    position = {lot["line_item_id"]: lot["position"] for lot in lots or []}
    rows = [{"bid": bid, "amount": money_text(bid.amount, rfq.currency), "leading": bid.pk in leading,
             "line": position.get(bid.line_item_id)} for bid in reversed(bids)]
    standing = [b for b in bids if b.status == "accepted"]
    panel.update(rows=rows, suppliers=len({b.supplier_id for b in standing}), lots=lots,
                 # One price line per auction: per-line prices on one axis would mislead.
                 chart=None if sealed or lots is not None else progression_chart(bids),
                 leading=money_text(rfq.best_amount, rfq.currency) if rfq.best_amount is not None else None,
                 leader=next((b.supplier.name for b in bids if b.pk == rfq.best_bid_id), None),
                 withdrawn=sum(1 for b in bids if b.status == "withdrawn"))
    return panel


def _lots(rfq, bids: list) -> list[dict]:
    """Lots: each line's leading bid and its supplier, and how many bids stand on it."""
    names = {b.pk: b.supplier.name for b in bids}
    return [{"line_item_id": line.pk, "position": line.position, "description": line.description,
             "best_bid_id": line.best_bid_id, "leader": names.get(line.best_bid_id),
             "leading": money_text(line.best_amount, rfq.currency) if line.best_amount is not None else None,
             "bid_count": line.bid_count} for line in rfq.line_items.order_by("position")]


@page_view
def rfq_bids_live(request, pk: int):
    """The panel alone, for the page's 5-second refresh while bidding runs."""
    rfq = rfq_get(user=request.user, pk=pk)
    may_view_rfqs(request.user)
    return render(request, "procurement/_bids_panel.html", {"rfq": rfq, "panel": bids_panel(user=request.user,
                                                                                             rfq=rfq)})
