"""Writes: create a simulation (computed at once when small, by a task when large) and compute one."""
from __future__ import annotations

import logging
import secrets
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from common.after_commit import after_commit
from common.errors import ValidationFailed
from common.scheduler import send_task_later

from .catalogue import AUCTION_TYPES, DEFAULT_PRICING, DEFAULT_TYPES, INLINE_WORK, MAX_WORK, PRICING, run_work
from .engine import simulate
from .models import Simulation, SimulationStatus
from .spec import assumptions_for, spec_for

if TYPE_CHECKING:
    from auctions.types import RFQ

logger = logging.getLogger(__name__)

SEED_LIMIT = 2**32  # seeds are 0 … 2^32 − 1


def simulation_create(*, rfq: RFQ, user: User, baseline_total: Decimal, cost_spread: Decimal, bidders: int, runs: int, seed: int | None,
                      auction_types: list[str] | None = None, pricing: list[str] | None = None) -> Simulation:
    """Record a simulation of `rfq` (validated input) and compute it: inline when small, else
    in a task sent after the commit (the row answers `running` with its progress meanwhile).
    Without `auction_types` / `pricing`: the RFQ's own format and pricing besides the defaults."""
    auction_types = auction_types or default_types(rfq)
    pricing = pricing or default_pricing(rfq)
    simulation = Simulation(
        rfq=rfq, created_by=user, seed=secrets.randbelow(SEED_LIMIT) if seed is None else seed, runs=runs,
        bidders=bidders, baseline_total=baseline_total, cost_spread=cost_spread, currency=rfq.currency,
        auction_types=auction_types, pricing=pricing, assumptions=assumptions_for(rfq, auction_types, pricing))
    per_run = run_work(simulation.formats, simulation.assumptions["settings"], bidders,
                       len(simulation.assumptions["lines"]))
    if runs * per_run > MAX_WORK:
        fits = int(MAX_WORK // per_run)
        raise ValidationFailed(
            f"This simulation is too large to compute: {runs} runs of these formats with {bidders} bidders over "
            f"{len(simulation.assumptions['lines'])} line(s). At most {fits} runs fit; use fewer runs, bidders or "
            "formats.", fields={"runs": [f"At most {fits} runs for these formats, bidders and lines."]})
    inline = runs * per_run <= INLINE_WORK
    if inline:
        simulation.results = simulate(spec_for(simulation))
        simulation.status, simulation.progress, simulation.finished_at = SimulationStatus.DONE, 1.0, timezone.now()
    with transaction.atomic():
        simulation.save()
        if not inline:
            from .tasks import run_simulation

            # countdown=0: on the embedded server the in-process scheduler runs it in its thread,
            # so this request answers at once and the page can show progress.
            after_commit(send_task_later, run_simulation, args=[simulation.pk], countdown=0)
    return simulation


def default_types(rfq: RFQ) -> list[str]:
    own = [rfq.auction_type] if rfq.auction_type in AUCTION_TYPES else []
    return list(dict.fromkeys(DEFAULT_TYPES + own))


def default_pricing(rfq: RFQ) -> list[str]:
    own = (rfq.auction_settings or {}).get("pricing")
    return list(dict.fromkeys(DEFAULT_PRICING + ([own] if own in PRICING else [])))


def simulation_compute(*, simulation_id: int) -> Simulation | None:
    """Compute a stored simulation that is still running, recording progress as it goes."""
    simulation = Simulation.objects.filter(pk=simulation_id, status=SimulationStatus.RUNNING).first()
    if simulation is None:
        return None  # gone, or already computed (a re-delivered task)

    def progress(fraction: float) -> None:
        Simulation.objects.filter(pk=simulation_id).update(progress=round(min(fraction, 0.99), 4))

    try:
        results = simulate(spec_for(simulation), progress=progress)
    except Exception as exc:
        logger.exception("simulation %s failed", simulation_id)
        Simulation.objects.filter(pk=simulation_id).update(status=SimulationStatus.FAILED, error=str(exc)[:500],
                                                           finished_at=timezone.now())
        return Simulation.objects.get(pk=simulation_id)
    Simulation.objects.filter(pk=simulation_id, status=SimulationStatus.RUNNING).update(
        status=SimulationStatus.DONE, progress=1.0, results=results, finished_at=timezone.now(),
        updated_at=timezone.now())
    simulation.refresh_from_db()
    return simulation
