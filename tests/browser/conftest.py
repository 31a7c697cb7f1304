"""Real Chromium for browser journeys, driven by Playwright's sync API.

Debian's Chromium at /usr/bin/chromium is the browser (Playwright's own download is not
used). Without it the journeys are skipped locally, but fail under CI, which must run them.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM must still be usable there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def chromium():
    if not os.path.exists(CHROMIUM):
        reason = f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run them", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    """A fresh browser context (own cookies) per test; UTC like the site, British dates."""
    context = chromium.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB", timezone_id="UTC")
    page = context.new_page()
    page.set_default_timeout(15_000)
    # Pages ask before irreversible steps (publish, close); a journey says yes.
    page.on("dialog", lambda dialog: dialog.accept())
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    """screenshot("03-buyer-rfq-draft") saves a full-page PNG under test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(step: str) -> Path:
        path = SCREENSHOTS / f"{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
