"""The "Questions and answers" panel: a supplier asks on its RFQ page, the buyer answers and
publishes on the buyer's page, another supplier reads the answer and never the asker."""
from __future__ import annotations

from django.urls import reverse

from rfqs.models import Clarification
from tests.factories import published_rfq

QUESTION = "May we deliver in two lots?"
ANSWER = "Yes, two lots are fine."


def test_ask_publish_and_read_on_the_pages(demo, login):
    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1,))
    asker = login("supplier1")
    page = asker.get(reverse("supplier-rfq", args=[rfq_id]))
    assert page.status_code == 200 and b'data-testid="ask-question"' in page.content
    response = asker.post(reverse("supplier-rfq-clarification-ask", args=[rfq_id]), {"question": QUESTION})
    assert response.status_code == 302
    item = Clarification.objects.get(rfq_id=rfq_id)

    buyer_page = login("buyer").get(reverse("buyer-rfq-detail", args=[rfq_id]))
    assert QUESTION in buyer_page.content.decode() and demo.supplier(1).name in buyer_page.content.decode()
    other_page = login("supplier2").get(reverse("supplier-rfq", args=[rfq_id])).content.decode()
    assert QUESTION not in other_page

    answered = login("buyer").post(reverse("buyer-rfq-clarification-answer", args=[rfq_id, item.pk]),
                                   {"answer": ANSWER, "publish": "on"})
    assert answered.status_code == 302
    other_page = login("supplier2").get(reverse("supplier-rfq", args=[rfq_id])).content.decode()
    assert QUESTION in other_page and ANSWER in other_page
    panel = other_page.split('data-testid="clarifications"')[1].split("</section>")[0]
    assert demo.supplier(1).name not in panel and "your question" not in panel


def test_an_unpublished_answer_shows_only_to_the_asker(demo, login):
    rfq_id = published_rfq(demo, suppliers=(1, 2), accept=(1,))
    login("supplier1").post(reverse("supplier-rfq-clarification-ask", args=[rfq_id]), {"question": QUESTION})
    item = Clarification.objects.get(rfq_id=rfq_id)
    login("buyer").post(reverse("buyer-rfq-clarification-answer", args=[rfq_id, item.pk]), {"answer": ANSWER})
    assert ANSWER in login("supplier1").get(reverse("supplier-rfq", args=[rfq_id])).content.decode()
    assert ANSWER not in login("supplier2").get(reverse("supplier-rfq", args=[rfq_id])).content.decode()


def test_an_empty_question_is_refused_with_a_message(demo, login):
    rfq_id = published_rfq(demo, suppliers=(1, 2))
    response = login("supplier1").post(reverse("supplier-rfq-clarification-ask", args=[rfq_id]),
                                       {"question": "  "}, follow=True)
    assert "must not be empty" in response.content.decode()
    assert not Clarification.objects.filter(rfq_id=rfq_id).exists()
