"""E-mails to suppliers. Always sent after commit, never from inside a transaction."""
from __future__ import annotations

from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from common.after_commit import after_commit
from common.local_format import local_time_text

from .models import InvitationStatus


def _recipients(supplier) -> list[str]:
    emails = [m.email for m in supplier.members.filter(is_active=True) if m.email]
    if supplier.contact_email and supplier.contact_email not in emails:
        emails.append(supplier.contact_email)
    return emails


def _by_time_zone(emails: list[str]) -> dict[str, list[str]]:
    """The addresses grouped by their user's time zone (an address no user has, such as a
    company's contact address, reads UTC), in the order given."""
    zones = dict(User.objects.filter(email__in=emails, is_active=True).exclude(email="")
                 .order_by("pk").values_list("email", "time_zone"))
    groups: dict[str, list[str]] = {}
    for email in emails:
        groups.setdefault(zones.get(email) or "UTC", []).append(email)
    return groups


def mail_on_commit(*, to: list[str], subject: str, template: str, context: dict) -> None:
    """One e-mail per time zone among the recipients, its times rendered in that zone."""
    if not to:
        return
    for zone, emails in _by_time_zone(to).items():
        with timezone.override(ZoneInfo(zone)):
            body = render_to_string(template, {**context, "site_url": settings.SITE_URL})
        # A mail server that is down must not turn the committed decision into an error.
        after_commit(send_mail, subject, body, None, emails, fail_silently=False)


def notify_invitation_sent(invitation) -> None:
    rfq = invitation.rfq
    mail_on_commit(
        to=_recipients(invitation.supplier),
        subject=f"Invitation to quote: {rfq.reference} {rfq.title}",
        template="emails/invitation_sent.txt",
        context={"invitation": invitation, "rfq": rfq,
                 "link": settings.SITE_URL + reverse("supplier-invitation", args=[invitation.pk])},
    )


def notify_kyc_decision(supplier) -> None:
    mail_on_commit(
        to=_recipients(supplier),
        subject=f"Your Quayside verification: {supplier.get_kyc_status_display()}",
        template="emails/kyc_decision.txt",
        context={"supplier": supplier, "link": settings.SITE_URL + reverse("supplier-profile")},
    )


def notify_kyc_expiry_warning(supplier, documents) -> None:
    soonest = min(d.expires_on for d in documents)
    mail_on_commit(
        to=_recipients(supplier),
        subject=f"Quayside: KYC document(s) expiring on {soonest.day} {soonest:%b %Y}",
        template="emails/kyc_expiry_warning.txt",
        context={"supplier": supplier, "link": settings.SITE_URL + reverse("supplier-profile"),
                 "documents": [{"document": d, "days_left": (d.expires_on - timezone.localdate()).days}
                               for d in documents]},
    )


def notify_kyc_expired(supplier, documents) -> None:
    mail_on_commit(
        to=_recipients(supplier),
        subject="Your Quayside verification has expired",
        template="emails/kyc_expired.txt",
        context={"supplier": supplier, "documents": documents,
                 "link": settings.SITE_URL + reverse("supplier-profile")},
    )


OUTCOME_SUBJECTS = {"awarded": "You have won", "not_selected": "Outcome", "no_award": "No award"}


def notify_outcome(*, supplier, rfq, outcome: dict) -> None:
    """A participant's outcome at award (or no award): lines, quantities, prices, payment."""
    mail_on_commit(
        to=_recipients(supplier),
        subject=f"{OUTCOME_SUBJECTS[outcome['status']]}: {rfq.reference} {rfq.title}",
        template="emails/award_outcome.txt",
        context={"supplier": supplier, "rfq": rfq, "outcome": outcome,
                 "link": settings.SITE_URL + reverse("supplier-rfq", args=[rfq.pk])},
    )


def notify_clarification_published(clarification) -> None:
    """A published answer: every supplier whose invitation is sent or accepted, one e-mail
    each, with the question and answer and nothing that names who asked."""
    rfq = clarification.rfq
    invitations = rfq.invitations.filter(status__in=[InvitationStatus.SENT, InvitationStatus.ACCEPTED]) \
        .select_related("supplier")
    for invitation in invitations:
        _mail_clarification(invitation.supplier, clarification)


def notify_clarification_answered(clarification) -> None:
    """An unpublished answer goes to the asker only."""
    _mail_clarification(clarification.asked_by, clarification)


def _mail_clarification(supplier, clarification) -> None:
    rfq = clarification.rfq
    mail_on_commit(
        to=_recipients(supplier),
        subject=f"Clarification answered: {rfq.reference} {rfq.title}",
        template="emails/clarification_answered.txt",
        context={"rfq": rfq, "question": clarification.question, "answer": clarification.answer,
                 "published": clarification.published,
                 "link": settings.SITE_URL + reverse("supplier-rfq", args=[rfq.pk])},
    )


def notify_amendment(suppliers, amendment) -> None:
    """An amendment: every invited supplier, one e-mail each, with the reason and the changes."""
    rfq = amendment.rfq
    for supplier in suppliers:
        mail_on_commit(
            to=_recipients(supplier),
            subject=f"Amendment {amendment.number} to {rfq.reference} {rfq.title}",
            template="emails/amendment.txt",
            # "changes" is called by the template, so it reads in each recipient's zone.
            context={"rfq": rfq, "amendment": amendment, "changes": partial(amendment_lines, amendment.changes),
                     "link": settings.SITE_URL + reverse("supplier-rfq", args=[rfq.pk])},
        )


def amendment_lines(changes: dict) -> list[str]:
    """What an amendment changed, in words for people (e-mails and pages)."""

    from django.utils.dateparse import parse_datetime

    words = []
    if "bidding_deadline" in changes:
        moved = changes["bidding_deadline"]
        old, new = (parse_datetime(moved[end]) for end in ("from", "to"))
        words.append(f"Bidding deadline: {local_time_text(old, 'd M Y H:i')} → {local_time_text(new, 'd M Y H:i')}")
    if "description" in changes:
        words.append("Description changed")
    if "line_items" in changes:
        before, after = changes["line_items"]["from"], changes["line_items"]["to"]
        words.append(f"Line items changed ({len(before)} → {len(after)} lines)")
    return words
