"""Who may see simulations: the buyer organisation that owns the RFQ (404 if the RFQ is not
visible, 403 if visible but not theirs — a simulation may involve a hidden reserve)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from accounts.models import User
from auctions.access import rfq_get_for_buyer_action
from common.errors import NotFound

from .models import Simulation

if TYPE_CHECKING:
    from auctions.types import RFQ


def rfq_for_simulation(*, user: User, pk: int) -> RFQ:
    return rfq_get_for_buyer_action(user=user, pk=pk)


def simulation_list(*, rfq: RFQ) -> QuerySet[Simulation]:
    return Simulation.objects.filter(rfq=rfq)


def simulation_get(*, rfq: RFQ, pk: int) -> Simulation:
    try:
        return Simulation.objects.get(rfq=rfq, pk=pk)
    except (Simulation.DoesNotExist, ValueError, TypeError):
        raise NotFound("Simulation not found.") from None
