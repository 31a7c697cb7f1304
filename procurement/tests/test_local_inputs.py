"""The buyer's money and deadline inputs under a user's number format and time zone: amounts
read in the format (or refused with its rule), deadline inputs always UTC (their label says so)."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from django.utils import timezone

from common.local_format import number_format_override
from procurement.forms import ReopenForm


def test_the_reopen_form_reads_a_german_reserve_and_a_utc_deadline_in_singapore():
    data = {"bidding_deadline": "2030-01-01T10:00", "reserve_amount": "9.000,00", "reason": ""}
    with number_format_override("de"), timezone.override("Asia/Singapore"):
        form = ReopenForm(data, currency="USD")
        assert form.is_valid(), form.errors
        refused = ReopenForm({**data, "reserve_amount": "9,000"}, currency="USD")
        assert not refused.is_valid()
        shown = ReopenForm(initial={"bidding_deadline": datetime(2030, 1, 1, 10, 0, tzinfo=UTC)}, currency="USD")
        assert 'value="2030-01-01T10:00"' in str(shown["bidding_deadline"])
    assert form.cleaned_data["reserve_amount"] == Decimal("9000.00")
    assert form.cleaned_data["bidding_deadline"] == datetime(2030, 1, 1, 10, 0, tzinfo=UTC)
    assert refused.errors["reserve_amount"] == [
        "3 digits after the comma: at most 2 in this currency. "
        "Type 48.500,00 — point for thousands, comma for decimals (at most 2)."]
