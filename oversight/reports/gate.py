"""The award gate (product.md §3): an award waits for a compliance officer's `approve` on the
fairness audit when the auction is high-value or has a high-severity gaming alert.

High-value: the estimated total — the largest of the total of the bid being awarded, the
recommended bid's total and what the pricing rule makes the winner be paid (a second-price
auction pays the runner-up's price, which can be above the winning bid) — is above
`QUAYSIDE["HIGH_VALUE_THRESHOLD"]`, read in the RFQ's own currency (one threshold for every
currency). Taking the largest means an override to a dearer quote cannot slip under the
threshold, nor a cheap override dodge a gated recommendation.

The gate opens only when the latest certification is `approve`, was made after the auction's
current close (an approval of an earlier round does not cover a reopened one) and after the
latest high alert was raised or updated (new evidence needs a new look); `review` and `reject`
keep it shut, and so does an `approve` followed by a later `review` or `reject`.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Max

from audit.models import AlertSeverity, Certification, GamingAlert, Recommendation
from common.errors import Conflict
from common.money import money_text


class CertificationRequired(Conflict):
    """409: the award waits for a compliance officer's `approve` on the fairness audit."""

    code = "certification_required"


@dataclass(frozen=True)
class AwardGate:
    required: bool
    blocked: bool
    reasons: list[str] = field(default_factory=list)
    estimated_total: str | None = None
    threshold: str = ""
    high_alerts: int = 0
    certification: str | None = None  # the latest recommendation, if any
    message: str = ""
    state: str = ""  # where the certification stands, in one sentence (the message's second half)

    def as_dict(self) -> dict:
        return asdict(self)


def high_value_threshold() -> Decimal:
    return Decimal(str(settings.QUAYSIDE["HIGH_VALUE_THRESHOLD"]))


def _evaluated_totals(evaluation) -> list[Decimal]:
    """The recommended bid's total and the winner's payment under the pricing rule; for a split
    or bundle award, the allocation's cost and what its winners are paid in all (VCG can pay more)."""
    row = next((r for r in evaluation.rankings if r["bid_id"] == evaluation.recommended_bid_id), None)
    pricing = evaluation.pricing or {}
    allocation = getattr(evaluation, "allocation", None) or {}
    values = (row and row["total"], pricing.get("winner_payment"), pricing.get("total_payment"),
              allocation.get("total_cost"))
    return [Decimal(str(value)) for value in values if value is not None]


def award_gate(*, rfq, award_total: Decimal | None = None, evaluation=None) -> AwardGate:
    """Whether awarding `rfq` (at `award_total`, if a bid is chosen) waits for certification.

    `evaluation` saves a second evaluation when the caller has one; otherwise it is computed.
    """
    if evaluation is None:
        from auctions.selectors.evaluation import rfq_evaluation

        evaluation = rfq_evaluation(rfq)
    totals = [t for t in (award_total, *_evaluated_totals(evaluation)) if t is not None]
    estimate = max(totals) if totals else None
    threshold = high_value_threshold()
    high = GamingAlert.objects.filter(rfq=rfq, severity=AlertSeverity.HIGH)
    high_count = high.count()
    reasons = []
    if estimate is not None and estimate > threshold:
        reasons.append(f"it is high-value: the estimated total {money_text(estimate, rfq.currency)} is above the "
                       f"{money_text(threshold, rfq.currency)} threshold")
    if high_count:
        reasons.append(f"it has {high_count} high-severity gaming alert{'s' if high_count > 1 else ''}")
    latest = Certification.objects.filter(rfq=rfq).order_by("-at", "-pk").first()
    latest_alert = high.aggregate(at=Max("updated_at"))["at"]
    stale = latest is not None and rfq.closed_at is not None and latest.at < rfq.closed_at
    approved = (latest is not None and latest.recommendation == Recommendation.APPROVE and not stale
                and (latest_alert is None or latest.at > latest_alert))
    blocked = bool(reasons) and not approved
    state = _state(latest, approved, stale)
    return AwardGate(required=bool(reasons), blocked=blocked, reasons=reasons,
                     estimated_total=str(estimate) if estimate is not None else None, threshold=str(threshold),
                     high_alerts=high_count, certification=latest.recommendation if latest else None,
                     message=_message(reasons, state) if blocked else "", state=state if reasons else "")


def _state(latest: Certification | None, approved: bool, stale: bool) -> str:
    if approved:
        return f"Certified “approve” by {latest.officer_name} at {latest.at:%Y-%m-%d %H:%M:%S} UTC."
    if latest is None:
        return "No compliance officer has certified its fairness audit yet."
    if stale:
        return ("The latest certification was made before the auction last closed (it was reopened); "
                "this round needs its own.")
    if latest.recommendation != Recommendation.APPROVE:
        return f"The latest certification recommends “{latest.recommendation}”, not “approve”."
    return "A high-severity gaming alert was raised or updated after the latest approval."


def _message(reasons: list[str], state: str) -> str:
    return (f"The award is blocked until a compliance officer certifies the fairness audit with “approve”: "
            f"{' and '.join(reasons)}. {state}")


def award_gate_enforce(*, rfq, award_total: Decimal, evaluation) -> None:
    """Raise 409 `certification_required` with the reason when the gate is shut."""
    gate = award_gate(rfq=rfq, award_total=award_total, evaluation=evaluation)
    if gate.blocked:
        raise CertificationRequired(gate.message)
