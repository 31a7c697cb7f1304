"""The buyer's what-if page for an RFQ: the form, the chosen simulation's results and chart
(with progress while a task computes it), and the simulations made before."""
from __future__ import annotations

from django.shortcuts import redirect, render
from django.urls import reverse

from common.errors import ValidationFailed
from common.pages import page_view

from .charts import distribution_chart, label_for
from .forms import SimulationForm
from .selectors import rfq_for_simulation, simulation_get, simulation_list
from .services import default_pricing, default_types, simulation_create


def _default_baseline(rfq, latest) -> str:
    """The reserve, else the starting price, else the last simulation's baseline, else 10 000
    (an RFQ's line items carry no price estimates to add up)."""
    if rfq.reserve_enabled and rfq.reserve_amount:
        return f"{rfq.reserve_amount.normalize():f}"
    start = (rfq.auction_settings or {}).get("starting_price")
    if start:
        return str(start)
    return f"{latest.baseline_total.normalize():f}" if latest else "10000"


def _initial(rfq, current) -> dict:
    """The shown simulation's inputs (so a change is one edit away), else sensible defaults."""
    if current is None:
        return {"baseline_total": _default_baseline(rfq, None), "auction_types": default_types(rfq),
                "pricing": default_pricing(rfq)}
    return {"baseline_total": f"{current.baseline_total.normalize():f}", "bidders": current.bidders,
            "cost_spread": f"{current.cost_spread.normalize():f}", "runs": current.runs, "seed": current.seed,
            "auction_types": current.auction_types, "pricing": current.pricing}


@page_view
def simulation_page(request, pk: int):
    rfq = rfq_for_simulation(user=request.user, pk=pk)
    past = list(simulation_list(rfq=rfq)[:20])
    if request.method == "POST":
        form = SimulationForm(request.POST)
        if form.is_valid():
            try:
                simulation = simulation_create(rfq=rfq, user=request.user, **form.service_arguments())
            except ValidationFailed as exc:
                form.add_error("runs", exc.message)
            else:
                return redirect(f"{reverse('buyer-rfq-simulations', args=[rfq.pk])}?simulation={simulation.pk}")
    chosen = request.GET.get("simulation")
    current = simulation_get(rfq=rfq, pk=chosen) if chosen and chosen.isdigit() else (past[0] if past else None)
    if request.method != "POST":
        form = SimulationForm(initial=_initial(rfq, current))
    reserve = rfq.reserve_amount if rfq.reserve_enabled else None
    return render(request, "simulation/simulation_page.html", {
        "rfq": rfq, "form": form, "current": current, "past": past,
        "rows": [{**r, "label": label_for(r)} for r in current.results] if current else [],
        "chart": distribution_chart(current.results, reserve=reserve) if current else None,
        "reserve": reserve,
    })
