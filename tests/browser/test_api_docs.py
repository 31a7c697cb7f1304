"""Issue 11, finding 8: /api/docs/ rendered blank offline, Swagger UI came from a CDN. The
browser here may reach only the site itself: every other request is aborted and counted."""
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_with_no_request_leaving_the_site(page, live_server, screenshot):
    site = urlparse(live_server.url).netloc
    outside = []

    def only_the_site(route):
        if urlparse(route.request.url).netloc == site:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_site)
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Quayside API")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/rfqs/{id}/bids/").first).to_be_visible()
    screenshot("api-docs-offline")
    assert outside == []
