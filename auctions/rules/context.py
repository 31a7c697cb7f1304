"""What a rule may look at: the attempt, the auction (locked in the "locked" phase), the
supplier, the time. Database reads rules share are cached here, once per attempt.

The what-if simulation (auctions/simulation/phantoms.py) and the rules' unit tests run the
rules over in-memory stand-ins for the RFQ and the supplier with the attributes rules read,
and give the cached reads instead of letting them touch the database."""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from django.utils.functional import cached_property

from auctions.drafts import BidDraft
from auctions.models import Bid, BidStatus
from common.db import PreparedInsert, Statement
from common.money import currency_decimals

if TYPE_CHECKING:
    from accounts.models import User
    from auctions.signing import SignatureCheck
    from auctions.types import RFQ
    from suppliers.models import SupplierCompany


class OwnBid(NamedTuple):
    """An earlier bid of the supplier as the rules read it: what the bid service loads for each
    one under the auction row's lock, without a model instance (a supplier may have hundreds
    on a long auction). A Bid has the same attributes; the rules take either."""

    id: int
    line_item_id: int | None
    submitted_at: datetime.datetime
    status: str
    version: int
    withdrawn_at: datetime.datetime | None

    @property
    def pk(self) -> int:
        return self.id


@dataclass
class BidContext:
    rfq: RFQ
    supplier: SupplierCompany
    user: User | None  # None only for a phantom bid of the what-if simulation
    now: datetime.datetime
    action: str = "place"
    draft: BidDraft = field(default_factory=BidDraft)
    bid: Bid | None = None  # the bid being withdrawn
    audit_seq: int | None = None  # the seq the accepted bid's audit event will get (stream head locked)
    next_bid_id: int | None = None  # an id reserved for the bid, so its insert can wait for the batch
    signature: SignatureCheck | None = None  # a signed request's verdict (auctions/signing.py); None: unsigned
    # The bid's row, its values converted before the lock (mechanisms.bidding.new_bid completes it).
    prepared_bid: PreparedInsert[Bid] | None = None
    # The transaction's writes, sent together in one round trip (common.db.run_batch).
    writes: list[Statement] = field(default_factory=list)
    # The supplier's earlier versions an accepted quote replaced (mechanisms.bidding sets it): its
    # audit event names them, so the trail shows each revision's before and after.
    superseded: list[int] = field(default_factory=list)

    def write(self, statement: Statement) -> None:
        self.writes.append(statement)

    @property
    def settings(self) -> dict[str, Any]:
        return self.rfq.auction_settings

    @property
    def digits(self) -> int:
        return currency_decimals(self.rfq.currency)

    @cached_property
    def invitation_status(self) -> str | None:
        if hasattr(self.rfq, "bidder_invitation_status"):  # loaded with the RFQ (rfq_for_bidding)
            return self.rfq.bidder_invitation_status
        invitation = self.rfq.invitations.filter(supplier_id=self.supplier.pk).first()
        return invitation.status if invitation else None

    @cached_property
    def category_qualified(self) -> bool:
        if hasattr(self.rfq, "bidder_category_qualified"):  # loaded with the RFQ (rfq_for_bidding)
            return self.rfq.bidder_category_qualified
        return self.supplier.categories.filter(pk=self.rfq.category_id).exists()

    @cached_property
    def own_bids(self) -> list[Bid] | list[OwnBid]:
        """This supplier's bids on this auction, oldest first (read under the row lock; the bid
        service sets them as OwnBid)."""
        return list(Bid.objects.filter(rfq_id=self.rfq.pk, supplier_id=self.supplier.pk).order_by("submitted_at", "id"))

    @property
    def own_standing(self) -> list[Bid | OwnBid]:
        return [bid for bid in self.own_bids if bid.status == BidStatus.ACCEPTED]

    # Per-line bidding (lots): the line the bid prices, as read under the auction row's lock
    # (services/bids.py sets it); None for a total bid.
    line: Any = None

    @property
    def best_amount(self) -> Decimal | None:
        """The best a bid must beat: the line's under per-line bidding, else the auction's."""
        if self.draft.line_item_id is not None and self.settings.get("bidding_basis") == "PER_LINE":
            return self.line.best_amount if self.line is not None else None
        return self.rfq.best_amount

    @property
    def ceiling(self) -> Decimal | None:
        """The starting price a bid may not exceed: the line's under per-line bidding."""
        if self.settings.get("bidding_basis") == "PER_LINE":
            return self.line.starting_price if self.line is not None else None
        start = self.settings.get("starting_price")
        return Decimal(start) if start is not None else None

    @cached_property
    def quantities(self) -> dict[int, Decimal]:
        return dict(self.rfq.line_items.values_list("pk", "quantity"))

    def total(self) -> Decimal:
        return self.draft.total(self.quantities, self.digits)
