"""Questions and answers in a real browser (issue 14 "Around the event"): supplier1 asks two
questions on its RFQ page; the buyer answers the first publishing it to every invited supplier
and the second to the asker only; supplier2 reads the published answer and nothing that names
who asked, and never the private one; supplier1 reads both answers."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.engine.helpers import sealed_auction

from .test_journey import sign_in, sign_out

PUBLIC_Q = "May we deliver the rice in two lots, the second a week later?"
PUBLIC_A = "Yes: two lots are fine if the second arrives before the delivery date."
PRIVATE_Q = "Can our quote reference the mill certificate we sent last month?"
PRIVATE_A = "Please attach the certificate to your quote again; we do not keep earlier files."


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_question_asked_answered_published_and_read_without_the_asker(live_server, page, screenshot, demo):
    base = live_server.url
    rfq_id = sealed_auction(demo, suppliers=(1, 2), accept=(1, 2))  # over the API, as other journeys set up
    asker = demo.supplier(1).name

    sign_in(page, base, "supplier1")
    supplier_asks(page, base, rfq_id, screenshot)
    sign_out(page)

    sign_in(page, base, "buyer")
    buyer_answers(page, base, rfq_id, asker, screenshot)
    sign_out(page)

    # supplier2 reads the published answer; nothing on its page says who asked, and the
    # private answer to the other question is not there at all.
    sign_in(page, base, "supplier2")
    page.goto(f"{base}/supplier/rfqs/{rfq_id}/")
    panel = page.get_by_test_id("clarifications")
    expect(panel.get_by_test_id("clarification")).to_have_count(1)
    expect(panel).to_contain_text(PUBLIC_Q)
    expect(panel).to_contain_text(PUBLIC_A)
    expect(panel).to_contain_text("published to all invited suppliers")
    expect(panel).not_to_contain_text("your question")
    screenshot("51-supplier2-reads-published-answer")
    html = page.content()
    assert asker not in html
    assert PRIVATE_Q not in html and PRIVATE_A not in html
    sign_out(page)

    # The asker reads both answers, the private one marked as sent to it only.
    sign_in(page, base, "supplier1")
    page.goto(f"{base}/supplier/rfqs/{rfq_id}/")
    items = page.get_by_test_id("clarification")
    expect(items).to_have_count(2)
    expect(items.filter(has_text=PUBLIC_Q)).to_contain_text(PUBLIC_A)
    private = items.filter(has_text=PRIVATE_Q)
    expect(private).to_contain_text(PRIVATE_A)
    expect(private).to_contain_text("sent to the asker only")
    expect(private).to_contain_text("your question")
    screenshot("52-supplier1-reads-both-answers")


def supplier_asks(page, base: str, rfq_id: int, screenshot) -> None:
    """supplier1 sends two questions from the form on its RFQ page."""
    page.goto(f"{base}/supplier/rfqs/{rfq_id}/")
    for number, question in enumerate((PUBLIC_Q, PRIVATE_Q)):
        form = page.get_by_test_id("ask-question")
        form.get_by_label("Ask the buyer a question").fill(question)
        if number == 0:
            screenshot("48-supplier1-asks-a-question")
        form.get_by_role("button", name="Send question").click()
        expect(page.locator(".flash--success")).to_contain_text("Your question was sent to the buyer")
    items = page.get_by_test_id("clarification")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("your question")
    expect(items.first).to_contain_text("Not answered yet.")


def buyer_answers(page, base: str, rfq_id: int, asker: str, screenshot) -> None:
    """The buyer sees who asked; answers the first to everybody, the second to the asker only."""
    page.goto(f"{base}/rfqs/{rfq_id}/")
    items = page.get_by_test_id("clarification")
    public = items.filter(has_text=PUBLIC_Q)
    expect(public).to_contain_text(asker)
    public.locator("textarea[name=answer]").fill(PUBLIC_A)
    public.get_by_label("Publish to every invited supplier").check()
    screenshot("49-buyer-answers-and-publishes")
    public.get_by_role("button", name="Send answer").click()
    expect(page.locator(".flash--success")).to_contain_text("published to every invited supplier")

    private = page.get_by_test_id("clarification").filter(has_text=PRIVATE_Q)
    private.locator("textarea[name=answer]").fill(PRIVATE_A)
    expect(private.get_by_label("Publish to every invited supplier")).not_to_be_checked()
    private.get_by_role("button", name="Send answer").click()
    expect(page.locator(".flash--success")).to_contain_text("sent to the supplier that asked")
    items = page.get_by_test_id("clarification")
    expect(items.filter(has_text=PUBLIC_Q)).to_contain_text("published to all invited suppliers")
    expect(items.filter(has_text=PRIVATE_Q)).to_contain_text("sent to the asker only")
    expect(page.locator("textarea[name=answer]")).to_have_count(0)
    screenshot("50-buyer-answered-both")
