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


@pytest.fixture(autouse=True)
def close_contexts(request):
    """Close every browser context a test opened, even when it failed half-way: a live page
    left open keeps its renderer busy (countdown, socket) for the rest of the run."""
    yield
    if "chromium" in request.fixturenames:
        for context in list(request.getfixturevalue("chromium").contexts):
            context.close()


@pytest.fixture
def page(chromium):
    """A fresh browser context (own cookies) per test; UTC like the site, British dates."""
    context = chromium.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB", timezone_id="UTC",
                                 reduced_motion="reduce")
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


@pytest.fixture
def asgi_server(transactional_db):
    """The project's ASGI application (pages, API, WebSocket) under Uvicorn in a thread.

    Django's live_server speaks WSGI only; live auctions need the WebSocket. In-process, the
    server shares the test database (committed data) and the channel layer with the test.
    """
    import threading
    import time

    import uvicorn

    from config.asgi import application
    from tests.ports import free_port

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off", ws="websockets-sansio"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "Uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
