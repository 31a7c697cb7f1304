"""A supplier registers a bid-signing key on its company page, turns on the policy of
refusing its unsigned bids, and revokes the key, in Chromium at 1280 px; the card fits 390 px."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from suppliers.models import SigningKey
from tests.signing import new_key

from .test_journey import sign_in
from .test_phone_width import PHONE, check


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_supplier_registers_and_revokes_a_signing_key(live_server, page, screenshot, demo):
    base = live_server.url
    _, public = new_key()
    sign_in(page, base, "supplier1")
    page.goto(f"{base}/supplier/profile/")
    card = page.get_by_test_id("signing-keys")
    expect(card).to_contain_text("No keys yet")
    card.get_by_label("Label").fill("ERP bidding server")
    card.get_by_label("Public key").fill("not a key")
    card.get_by_role("button", name="Register key").click()
    expect(page.get_by_test_id("signing-keys")).to_contain_text("Base64 of exactly 32 bytes")
    page.get_by_test_id("signing-keys").get_by_label("Public key").fill(public)
    page.get_by_test_id("signing-keys").get_by_role("button", name="Register key").click()
    key = SigningKey.objects.get()
    card = page.get_by_test_id("signing-keys")
    expect(card).to_contain_text(key.key_id)
    expect(card).to_contain_text(key.fingerprint)
    expect(card).to_contain_text("Active")
    card.get_by_label("Refuse our company's unsigned bids").check()
    card.get_by_role("button", name="Save").click()
    expect(page.locator("body")).to_contain_text("unsigned bids are refused from now on")
    expect(page.get_by_test_id("signing-keys").get_by_label("Refuse our company's unsigned bids")).to_be_checked()
    page.get_by_test_id("signing-keys").scroll_into_view_if_needed()
    screenshot("80-supplier-signing-keys")
    page.set_viewport_size(PHONE)
    check(page, screenshot, "81-phone-supplier-signing-keys")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.once("dialog", lambda dialog: dialog.accept())  # "Revoke this key? …"
    page.get_by_test_id("signing-keys").get_by_role("button", name="Revoke").click()
    expect(page.get_by_test_id("signing-keys")).to_contain_text("Revoked")
    key.refresh_from_db()
    assert key.revoked_at is not None
