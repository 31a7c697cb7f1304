"""The gaming scan: every detector over an auction's bids, found patterns kept as alerts.

An alert is upserted by (rfq, detector, key) and written only when what the detector found
changed, so a rescan of the same bids writes nothing and a pattern that grows updates its
alert. Every raise and update is audited (`gaming.alert_raised` / `gaming.alert_updated`) in
the same transaction. These events are not live (common.realtime registers no gaming type):
suppliers must never hear that they were flagged.
"""
from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from audit.models import GamingAlert, rfq_stream
from audit.services import audit_append, audit_lock
from rfqs.models import RFQ

from . import detectors  # noqa: F401  (registers every detector)
from .base import DETECTORS, AuctionFacts, Finding
from .facts import auction_facts


def gaming_detect(facts: AuctionFacts) -> list[tuple[str, Finding]]:
    """Every registered detector's findings on `facts`, as (detector name, finding)."""
    thresholds = settings.QUAYSIDE["GAMING"]
    return [(name, finding) for name, detect in sorted(DETECTORS.items()) for finding in detect(facts, thresholds[name])]


def _stored(finding: Finding) -> dict[str, Any]:
    """The finding's fields as the database gives them back, so comparisons are exact."""
    return json.loads(json.dumps({"severity": str(finding.severity), "summary": finding.summary,
                                  "supplier_ids": finding.supplier_ids, "evidence": finding.evidence},
                                 cls=DjangoJSONEncoder))


def _changed(alert: GamingAlert | None, fields: dict[str, Any]) -> bool:
    return alert is None or any(getattr(alert, name) != value for name, value in fields.items())


def gaming_scan(*, rfq_id: int, phase: str) -> list[GamingAlert]:
    """Scan the RFQ's bids (`phase`: "bidding" or "close"); return the alerts raised or updated."""
    rfq = RFQ.objects.get(pk=rfq_id)
    if not _pending(rfq):
        return []  # the common case while bidding: nothing new, no lock, no write
    with transaction.atomic():
        # One scan of this RFQ writes at a time, and from bids read after it got the lock, so
        # a slower scan of an older snapshot cannot overwrite newer evidence.
        audit_lock(rfq_stream(rfq.pk))
        found, existing = _pending(rfq), _existing(rfq)
        written = [alert for name, key, fields in found
                   if (alert := _write(rfq, name, key, fields, existing.get((name, key)), phase))]
        if written and rfq.closed_at is not None:
            # A new fact for a closed auction's fairness report (e.g. a debounced scan that
            # ran after the close): the report is regenerated once this commits.
            from oversight.reports.services import fairness_report_request

            fairness_report_request(rfq=rfq)
        return written


def _existing(rfq: RFQ) -> dict[tuple[str, str], GamingAlert]:
    return {(a.detector, a.key): a for a in GamingAlert.objects.filter(rfq=rfq)}


def _pending(rfq: RFQ) -> list[tuple[str, str, dict[str, Any]]]:
    """What the detectors find now, if any of it differs from the stored alerts (else [])."""
    found = [(name, finding.key, _stored(finding)) for name, finding in gaming_detect(auction_facts(rfq))]
    existing = _existing(rfq)
    return found if any(_changed(existing.get((name, key)), fields) for name, key, fields in found) else []


def _write(rfq: RFQ, detector: str, key: str, fields: dict[str, Any], alert: GamingAlert | None,
           phase: str) -> GamingAlert | None:
    if not _changed(alert, fields):
        return None
    now = timezone.now()
    if alert is None:
        alert = GamingAlert.objects.create(rfq=rfq, detector=detector, key=key, phase=phase, raised_at=now,
                                           updated_at=now, **fields)
        kind = "gaming.alert_raised"
    else:
        for name, value in fields.items():
            setattr(alert, name, value)
        alert.phase, alert.updated_at = phase, now
        alert.save(update_fields=[*fields, "phase", "updated_at"])
        kind = "gaming.alert_updated"
    audit_append(type=kind, rfq=rfq, payload={"alert_id": alert.pk, "detector": detector, "key": key,
                                              "phase": phase, **fields})
    return alert
