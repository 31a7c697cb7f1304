"""Writes of the fairness report: generate (versioned, hashed, audited), request a regeneration
once the current transaction commits, and certify.

Generation is idempotent: the same facts give the same content and hash, so a duplicated or
late job writes nothing. Readers go through `fairness_report_current`, which regenerates a
missing or stale report synchronously, so a page or API call never shows yesterday's facts
while the background job is still queued.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.anchoring.services import checkpoint_seal_on_commit
from audit.models import AuditEvent, Certification, FairnessReport, GamingAlert, Recommendation, rfq_stream
from audit.services import audit_append, audit_lock
from common.after_commit import after_commit
from common.errors import Conflict, Forbidden, ValidationFailed
from rfqs.models import RFQ, RFQStatus

from .builder import FORMAT, REPORT_EVENT, build_report, iso, report_anchor

LIVE = (RFQStatus.DRAFT, RFQStatus.PUBLISHED, RFQStatus.OPEN, RFQStatus.PAUSED)


def content_hash(data: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces): what a downloaded copy is matched by."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def reportable_problem(rfq: RFQ) -> str | None:
    """Why `rfq` has no report yet (None once bidding has closed)."""
    if rfq.status in LIVE or rfq.closed_at is None:
        return (f"The fairness report is available once bidding has closed; this RFQ is "
                f"{rfq.get_status_display().lower()}.")
    return None


def _require_reportable(rfq: RFQ) -> None:
    problem = reportable_problem(rfq)
    if problem:
        raise Conflict(problem, code="invalid_transition")


def fairness_report_generate(*, rfq_id: int) -> FairnessReport:
    """Build the report from the stored facts; store it as a new version (audited with its hash)
    unless its content is unchanged. The RFQ row is locked so versions never race.

    The stream is sealed first (once committed, at once outside a transaction) so the report
    can carry the checkpoint of every event it was built from."""
    checkpoint_seal_on_commit(stream=rfq_stream(rfq_id), inline=True)
    with transaction.atomic():
        rfq = RFQ.objects.select_for_update(no_key=True, of=("self",)).get(pk=rfq_id)
        _require_reportable(rfq)
        data = build_report(rfq)
        digest = content_hash(data)
        report = FairnessReport.objects.filter(rfq=rfq).first()
        if report is not None and report.content_hash == digest:
            return report
        now = timezone.now()
        if report is None:
            report = FairnessReport(rfq=rfq, version=1)
        else:
            report.version += 1
        report.generated_at, report.data, report.content_hash = now, data, digest
        report.save()
        audit_append(type=REPORT_EVENT, rfq=rfq, payload={
            "version": report.version, "content_hash": digest, "generated_at": now})
    return report


def fairness_report_request(*, rfq: RFQ) -> None:
    """Regenerate the report in the background once the caller's transaction commits (new facts:
    the close, an alert, a certification, the award)."""
    from .tasks import generate_fairness_report

    # A report job that cannot be queued must not turn the committed change into an error;
    # readers regenerate a stale report themselves.
    after_commit(generate_fairness_report.delay, rfq.pk)


def report_is_stale(report: FairnessReport) -> bool:
    basis = report.data.get("basis") or {}
    if report.data.get("format") != FORMAT:
        return True
    newer = AuditEvent.objects.filter(stream=rfq_stream(report.rfq_id), seq__gt=basis.get("last_event_seq", 0))
    if newer.exclude(type=REPORT_EVENT).exists():
        return True
    if report.data.get("anchor") is None and report_anchor(report.rfq_id, basis.get("last_event_seq", 0)):
        return True  # sealed since: the report now carries its checkpoint
    latest_alert = GamingAlert.objects.filter(rfq_id=report.rfq_id).order_by("-updated_at").first()
    return iso(latest_alert.updated_at if latest_alert else None) != basis.get("alerts_updated_at")


def fairness_report_current(*, rfq: RFQ) -> FairnessReport:
    """The stored report, generated now if there is none or new facts arrived since; 409 before close."""
    _require_reportable(rfq)
    report = FairnessReport.objects.filter(rfq=rfq).first()
    if report is None or report_is_stale(report):
        report = fairness_report_generate(rfq_id=rfq.pk)
    return report


def fairness_certify(*, rfq: RFQ, officer: User, recommendation: str, findings: list[str],
                     report_version: int | None = None) -> Certification:
    """A compliance officer's verdict on the current report: a new Certification (the latest one
    counts for the award gate), audited as `fairness.certified`; the report is then regenerated.

    `report_version` is the version the officer read (the admin and the report page send it);
    if new facts made a newer one meanwhile, the verdict is refused (409) rather than recorded
    against facts the officer has not seen."""
    if not getattr(officer, "is_compliance", False):
        raise Forbidden("Only compliance officers certify fairness audits.")
    if recommendation not in Recommendation.values:
        raise ValidationFailed(f"The recommendation is one of {', '.join(Recommendation.values)}.",
                               fields={"recommendation": ["Not a valid choice."]})
    findings = [text.strip() for text in findings if text and text.strip()]
    with transaction.atomic():
        locked = RFQ.objects.select_for_update(no_key=True, of=("self",)).get(pk=rfq.pk)
        # Gaming scans write alerts under this lock: holding it, no new fact can land between
        # reading the report and recording the certification.
        audit_lock(rfq_stream(rfq.pk))
        report = fairness_report_current(rfq=locked)  # what the officer certifies: the facts as they stand
        if report_version is not None and report_version != report.version:
            raise Conflict(f"The fairness report changed since you read it: you read version {report_version}, "
                           f"it is now version {report.version} with new facts. Read it again before certifying.")
        certification = Certification.objects.create(
            rfq=locked, officer=officer, officer_name=officer.get_username(), at=timezone.now(),
            recommendation=recommendation, findings=findings, report_version=report.version)
        audit_append(type="fairness.certified", actor=officer, rfq=locked, payload={
            "recommendation": recommendation, "findings": findings, "report_version": report.version,
            "content_hash": report.content_hash})
        fairness_report_request(rfq=locked)
    return certification
