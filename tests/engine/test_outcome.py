"""Every participant learns its outcome at award (product.md §7; api.md `GET /outcome/`), for
every auction type: from the stored award, by API, page and e-mail."""
import pytest
from django.core import mail

from oversight.selectors import audit_verify
from tests.factories import move_deadline_into_past

from .helpers import (
    GOOD_CRITERIA,
    bid,
    created,
    items,
    multi_attribute_auction,
    quote,
    reverse_auction,
    sealed_auction,
    transition,
)


def outcome(api, user, rfq):
    return api(user).get(f"/api/v1/rfqs/{rfq}/outcome/")


def award(api, rfq, bid_id, capture):
    move_deadline_into_past(rfq)
    assert transition(api, "buyer", rfq, "close").status_code == 200
    assert transition(api, "buyer", rfq, "evaluate").json()["status"] == "evaluation"
    assert outcome(api, "supplier1", rfq).status_code == 409  # not decided yet
    mail.outbox.clear()
    with capture(execute=True):
        response = api("buyer").post(f"/api/v1/rfqs/{rfq}/award/", {"bid_id": bid_id}, format="json")
    assert response.status_code == 200, response.content


def mails_to(demo, n) -> list:
    emails = {m.email for m in demo.supplier(n).members.all()} | {demo.supplier(n).contact_email}
    return [m for m in mail.outbox if set(m.to) & emails]


@pytest.mark.parametrize("kind", ["SEALED_BID", "MULTI_ATTRIBUTE"])
def test_sealed_whole_award_outcome_has_lines_and_payment(api, demo, login, kind,
                                                          django_capture_on_commit_callbacks):
    rfq = sealed_auction(demo) if kind == "SEALED_BID" else multi_attribute_auction(demo)
    rice, flour = items(rfq)
    criteria = GOOD_CRITERIA if kind == "MULTI_ATTRIBUTE" else None
    # supplier1: 40 × 10 + 20 × 5 = 500; supplier2: 40 × 12 + 20 × 6 = 600.
    winner = created(quote(api, "supplier1", rfq, {rice: "10.00", flour: "5.00"}, criteria=criteria))
    created(quote(api, "supplier2", rfq, {rice: "12.00", flour: "6.00"}, criteria=criteria))
    award(api, rfq, winner["id"], django_capture_on_commit_callbacks)
    won = outcome(api, "supplier1", rfq).json()
    assert won["status"] == "awarded" and won["total"] == "500.00" and won["payment"] == "500.00"
    assert sorted((line["line_item_id"], line["quantity"], line["unit_price"], line["amount"])
                  for line in won["lines"]) == sorted([(rice, 40, "10.00", "400.00"), (flour, 20, "5.00", "100.00")])
    assert outcome(api, "supplier2", rfq).json() == {"status": "not_selected", "lines": [], "total": None}
    assert outcome(api, "supplier3", rfq).json()["status"] == "not_selected"  # invited, never quoted
    assert outcome(api, "buyer", rfq).status_code == 403  # sees the RFQ, has no outcome of its own
    assert outcome(api, "compliance", rfq).status_code == 403
    assert outcome(api, "buyer2", rfq).status_code == 404  # another tenant's buyer does not see it
    assert outcome(api, "supplier4", rfq).status_code == 404  # not invited
    assert len(mails_to(demo, 1)) == 1 and "500.00" in mails_to(demo, 1)[0].body
    assert "not selected" in mails_to(demo, 2)[0].body
    assert mails_to(demo, 3) == []  # took no part
    page = login("supplier1").get(f"/supplier/rfqs/{rfq}/").content.decode()
    assert "You won" in page and "400.00" in page
    assert "not selected" in login("supplier2").get(f"/supplier/rfqs/{rfq}/").content.decode()


def test_reverse_award_outcome_and_second_price_payment(api, demo, django_capture_on_commit_callbacks):
    rfq = reverse_auction(demo)
    created(bid(api, "supplier1", rfq, "9000.00"))
    winner = created(bid(api, "supplier2", rfq, "8500.00"))
    award(api, rfq, winner["id"], django_capture_on_commit_callbacks)
    won = outcome(api, "supplier2", rfq).json()
    # The bid priced the whole RFQ: every line is the winner's to deliver, with no line price.
    assert [(line["line_item_id"], line["quantity"], line["unit_price"], line["amount"]) for line in won.pop("lines")] == [
        (item, quantity, None, None) for item, quantity in zip(items(rfq), (40, 20), strict=True)]
    assert won == {"status": "awarded", "total": "8500.00", "payment": "8500.00", "pricing": "FIRST_PRICE"}
    assert outcome(api, "supplier1", rfq).json()["status"] == "not_selected"
    assert [m.subject.split(":")[0] for m in mails_to(demo, 2)] == ["You have won"]
    assert "these lines" in mails_to(demo, 2)[0].body and "Rice" in mails_to(demo, 2)[0].body
    assert audit_verify(rfq_id=rfq).ok


def second_price_awarded(api, demo, capture) -> int:
    """A sealed second-price RFQ awarded to supplier1 (500.00, paid the runner-up's 600.00)."""
    rfq = sealed_auction(demo, pricing="SECOND_PRICE")
    rice, flour = items(rfq)
    winner = created(quote(api, "supplier1", rfq, {rice: "10.00", flour: "5.00"}))
    created(quote(api, "supplier2", rfq, {rice: "12.00", flour: "6.00"}))
    award(api, rfq, winner["id"], capture)
    return rfq


def test_second_price_winner_is_paid_the_runner_up(api, demo, django_capture_on_commit_callbacks):
    rfq = second_price_awarded(api, demo, django_capture_on_commit_callbacks)
    won = outcome(api, "supplier1", rfq).json()
    assert (won["total"], won["payment"], won["pricing"]) == ("500.00", "600.00", "SECOND_PRICE")


def not_awarded(api, demo, capture) -> int:
    """A sealed RFQ whose one quote (500.00) is above its hidden reserve of 100.00, evaluated to
    no award; the outbox holds only the outcome e-mails."""
    rfq = sealed_auction(demo, reserve={"enabled": True, "amount": "100.00", "visibility": "hidden"})
    rice, flour = items(rfq)
    created(quote(api, "supplier1", rfq, {rice: "10.00", flour: "5.00"}))
    move_deadline_into_past(rfq)
    transition(api, "buyer", rfq, "close")
    mail.outbox.clear()
    with capture(execute=True):
        assert transition(api, "buyer", rfq, "evaluate").json()["status"] == "no_award"
    return rfq


def test_no_award_outcome(api, demo, django_capture_on_commit_callbacks):
    rfq = not_awarded(api, demo, django_capture_on_commit_callbacks)
    assert outcome(api, "supplier1", rfq).json()["status"] == "no_award"
    assert len(mails_to(demo, 1)) == 1 and "without an award" in mails_to(demo, 1)[0].body


HIDDEN = {"enabled": True, "amount": "700.00", "visibility": "hidden"}


def test_a_hidden_reserve_never_sets_the_second_price_a_supplier_is_paid(api, demo, login,
                                                                         django_capture_on_commit_callbacks):
    """product.md §4.4: a hidden reserve is never shown to suppliers. The lone quote within it is
    paid its own total, not the reserve (which would tell the winner the reserve's amount)."""
    rfq = sealed_auction(demo, reserve=HIDDEN, pricing="SECOND_PRICE")
    rice, flour = items(rfq)
    winner = created(quote(api, "supplier1", rfq, {rice: "10.00", flour: "5.00"}))  # 500.00
    award(api, rfq, winner["id"], django_capture_on_commit_callbacks)
    won = outcome(api, "supplier1", rfq).json()
    assert (won["total"], won["payment"]) == ("500.00", "500.00")
    page = login("supplier1").get(f"/supplier/rfqs/{rfq}/").content.decode()
    assert "700" not in page and "700" not in mails_to(demo, 1)[0].body


def test_suppliers_do_not_learn_of_a_hidden_reserve_from_the_no_award_reason(api, demo, login,
                                                                            django_capture_on_commit_callbacks):
    rfq = not_awarded(api, demo, django_capture_on_commit_callbacks)
    assert api("buyer").get(f"/api/v1/rfqs/{rfq}/").json()["status_reason"] == "The reserve price was not met."
    seen = [outcome(api, "supplier1", rfq).json()["reason"], api("supplier1").get(f"/api/v1/rfqs/{rfq}/").json()[
        "status_reason"], mails_to(demo, 1)[0].body, login("supplier1").get(f"/supplier/rfqs/{rfq}/").content.decode()]
    assert seen[:2] == ["No award was made.", "No award was made."]
    assert all("reserve" not in text.lower() for text in seen)


@pytest.mark.parametrize("reveal", [True, False])
def test_reveal_bids_to_suppliers_shows_the_ranked_prices_anonymised_after_award(
        api, demo, login, django_capture_on_commit_callbacks, reveal):
    """product.md §4.1: with reveal_bids_to_suppliers, after award suppliers see the ranked
    prices, anonymised — by API, page and e-mail; without it, nothing of the others."""
    rfq = sealed_auction(demo, reveal_bids_to_suppliers=reveal)
    rice, flour = items(rfq)
    winner = created(quote(api, "supplier1", rfq, {rice: "10.00", flour: "5.00"}))  # 500.00
    created(quote(api, "supplier2", rfq, {rice: "12.00", flour: "6.00"}))  # 600.00
    created(quote(api, "supplier3", rfq, {rice: "11.00", flour: "7.00"}))  # 580.00
    award(api, rfq, winner["id"], django_capture_on_commit_callbacks)
    body = outcome(api, "supplier2", rfq).json()
    page = login("supplier2").get(f"/supplier/rfqs/{rfq}/").content.decode()
    mail_body = mails_to(demo, 2)[0].body
    if not reveal:
        assert "ranking" not in body and "580.00" not in page and "580.00" not in mail_body
        return
    assert body["status"] == "not_selected" and body["ranking"] == [
        {"rank": 1, "total": "500.00", "yours": False}, {"rank": 2, "total": "580.00", "yours": False},
        {"rank": 3, "total": "600.00", "yours": True}]
    assert [row["yours"] for row in outcome(api, "supplier1", rfq).json()["ranking"]] == [True, False, False]
    assert 'data-testid="outcome-ranking"' in page and "580.00" in page
    assert "580.00" in mail_body and "600.00 USD  (your quote)" in mail_body
    others = [demo.supplier(n).name for n in (1, 3)]
    assert not any(name in text for name in others for text in (str(body), page, mail_body))
