"""Finding things (issue 15, api.md "Lots and finding things"): search, filters and ordering on
the RFQ list, the supplier directory and the invitation inbox — the API and the page return the
same rows for the same query, tenancy holds under every filter, a bad value is a 400."""
from __future__ import annotations

import csv
import io
import itertools
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from rfqs.models import RFQ
from suppliers.models import Invitation
from tests.factories import published_rfq

from .helpers import assert_error, create_draft

TWIN = "Twin stores for MV Findable"


@pytest.fixture
def twins(demo):
    """The same RFQs for buyer and buyer2 (same title, category, type and deadline), so any
    filter that matches one matches the other: buyer must still never see buyer2's."""
    made = {}
    for owner in ("buyer", "buyer2"):
        made[owner] = {
            "open": published_rfq(demo, owner=owner, suppliers=(1, 2), accept=(1,), title=TWIN,
                                  description="Lube oil and rope."),
            "draft": create_draft(demo, owner=owner, title=f"{TWIN} (draft)", category="deck"),
        }
    return made


def own_rfqs(username: str, demo) -> list[RFQ]:
    return list(RFQ.objects.filter(buyer_organization=demo.user(username).buyer_organization))


def api_ids(client, path: str, query: dict) -> list[int]:
    response = client.get(path, query)
    assert response.status_code == 200, (query, response.content[:500])
    return [row["id"] for row in response.json()]


def page_ids(browser, url: str, query: dict, key: str = "rfqs") -> list[int]:
    response = browser.get(url, query)
    assert response.status_code == 200, (query, response.status_code)
    return [row.pk for row in response.context[key]]


def rfq_queries(twins) -> list[dict]:
    today = timezone.now().date()
    return [
        {}, {"search": "twin"}, {"search": "LUBE OIL"}, {"search": f"RFQ-{twins['buyer']['open']:06d}"},
        {"search": str(twins["buyer2"]["open"])},  # buyer2's reference: still only what buyer sees
        {"status": "open"}, {"status": "draft", "ordering": "title"}, {"status": "cancelled"},
        {"auction_type": "SEALED_BID", "ordering": "-bidding_deadline"}, {"auction_type": "REVERSE_AUCTION"},
        {"category": "deck"}, {"category": "no-such-category"},
        {"deadline_after": (today + timedelta(days=2)).isoformat(), "ordering": "bidding_deadline"},
        {"deadline_before": (today + timedelta(days=4)).isoformat(), "ordering": "-reference"},
        {"deadline_after": (timezone.now() - timedelta(days=30)).isoformat().replace("+00:00", "Z"),
         "deadline_before": (timezone.now() + timedelta(days=3, hours=1)).strftime("%Y-%m-%dT%H:%M:%S+05:00")},
        {"search": "twin", "status": "open", "category": "provisions", "ordering": "status"},
        {"ordering": "created_at"}, {"ordering": "-title"},
    ]


def test_the_rfq_api_and_page_return_the_same_rows_in_the_same_order(twins, api, login):
    buyer, browser = api("buyer"), login("buyer")
    seen = set()
    for query in rfq_queries(twins):
        ids = api_ids(buyer, "/api/v1/rfqs/", query)
        assert ids == page_ids(browser, reverse("buyer-rfq-list"), query), query
        seen.add(len(ids))
    assert len(seen) > 3  # the queries really filter: several different row counts


def test_the_rfq_filters_filter_and_order(twins, api, demo):
    buyer = api("buyer")
    mine = twins["buyer"]
    assert api_ids(buyer, "/api/v1/rfqs/", {"search": "twin", "ordering": "title"}) == [mine["open"], mine["draft"]]
    assert api_ids(buyer, "/api/v1/rfqs/", {"search": "twin", "ordering": "-title"}) == [mine["draft"], mine["open"]]
    assert api_ids(buyer, "/api/v1/rfqs/", {"search": f"rfq-{mine['draft']}"}) == [mine["draft"]]
    assert api_ids(buyer, "/api/v1/rfqs/", {"search": "rope"}) == [mine["open"]]  # the description
    assert api_ids(buyer, "/api/v1/rfqs/", {"category": "deck", "status": "draft"}) == [mine["draft"]]
    deadlines = [r.bidding_deadline for r in sorted(own_rfqs("buyer", demo), key=lambda r: (r.bidding_deadline, r.pk))]
    by_deadline = api_ids(buyer, "/api/v1/rfqs/", {"ordering": "bidding_deadline"})
    assert [RFQ.objects.get(pk=pk).bidding_deadline for pk in by_deadline] == deadlines
    cut = deadlines[len(deadlines) // 2]
    after = api_ids(buyer, "/api/v1/rfqs/", {"deadline_after": cut.isoformat()})
    before = api_ids(buyer, "/api/v1/rfqs/", {"deadline_before": cut.isoformat()})
    assert sorted(after + before) == sorted(by_deadline)  # after is inclusive, before exclusive
    assert all(RFQ.objects.get(pk=pk).bidding_deadline >= cut for pk in after)


def expected_rfqs(rfqs: list[RFQ], search: str, status: str | None, kind: str | None, category: str | None) -> set:
    def matches(rfq: RFQ) -> bool:
        text = search.lower()
        return ((not text or text in rfq.title.lower() or text in rfq.description.lower())
                and (status is None or rfq.status == status) and (kind is None or rfq.auction_type == kind)
                and (category is None or rfq.category.slug == category))
    return {rfq.pk for rfq in rfqs if matches(rfq)}


def test_tenancy_holds_under_every_combination_of_filters(twins, api, login, demo):
    """buyer's twin matches every filter its foreign twin matches: the foreign one never shows."""
    foreign = set(twins["buyer2"].values()) | {r.pk for r in own_rfqs("buyer2", demo)}
    mine = own_rfqs("buyer", demo)
    buyer, browser = api("buyer"), login("buyer")
    combinations = itertools.product(("", "twin", "MV"), (None, "open", "draft"), (None, "SEALED_BID"),
                                     (None, "provisions", "deck"), (None, "-title"))
    for search, status, kind, category, ordering in combinations:
        query = {name: value for name, value in {"search": search, "status": status, "auction_type": kind,
                                                 "category": category, "ordering": ordering}.items() if value}
        ids = api_ids(buyer, "/api/v1/rfqs/", query)
        assert set(ids) == expected_rfqs(mine, search, status, kind, category), query
        assert not foreign & set(ids), query
        assert page_ids(browser, reverse("buyer-rfq-list"), query) == ids, query
    for search, status in itertools.product(("", "twin", str(twins["buyer"]["open"])), (None, "open", "draft")):
        query = {name: value for name, value in {"search": search, "status": status}.items() if value}
        assert not set(twins["buyer"].values()) & set(api_ids(api("buyer2"), "/api/v1/rfqs/", query)), query


def test_a_supplier_sees_only_its_own_invitations_under_every_filter(twins, api, login, demo):
    mine = set(demo.supplier(1).invitations.values_list("pk", flat=True))
    others = set(Invitation.objects.exclude(supplier=demo.supplier(1)).values_list("pk", flat=True))
    supplier, browser = api("supplier1"), login("supplier1")
    statuses = (None, "SENT", "ACCEPTED", "DECLINED")
    orderings = (None, "sent_at", "-bidding_deadline", "title", "-status")
    for search, status, ordering in itertools.product(("", "twin", "findable", "Northern"), statuses, orderings):
        query = {name: value for name, value in {"search": search, "status": status,
                                                 "ordering": ordering}.items() if value}
        rows = supplier.get("/api/v1/invitations/", query).json()
        ids = [row["id"] for row in rows]
        assert set(ids) <= mine and not set(ids) & others, query
        assert all(row["supplier"]["id"] == demo.supplier(1).pk for row in rows)
        assert all(row["status"] == status for row in rows if status), query
        assert all(search.lower() in row["rfq"]["title"].lower() for row in rows if search == "twin")
        assert page_ids(browser, reverse("supplier-invitations"), query, key="page") == ids, query
    # Both buyers' twins invited supplier1: "Northern" (buyer2's organisation) finds one of them.
    northern = [row["rfq"]["id"] for row in supplier.get("/api/v1/invitations/", {"search": "Northern"}).json()]
    assert twins["buyer2"]["open"] in northern and twins["buyer"]["open"] not in northern


def test_the_directory_api_and_the_picker_list_the_same_suppliers(twins, api, login, demo):
    buyer, browser = api("buyer"), login("buyer")
    picker = reverse("buyer-rfq-suppliers", args=[twins["buyer"]["draft"]])
    queries = [{}, {"search": "marine"}, {"country": "GR"}, {"tier": "SILVER"}, {"kyc_status": "VERIFIED"},
               {"category": "provisions", "ordering": "-tier"}, {"country": "SG", "tier": "GOLD"}]
    for query in queries:
        rows = buyer.get("/api/v1/suppliers/", query).json()
        for field in ("country", "tier", "kyc_status"):
            assert all(row[field] == query[field] for row in rows if field in query), query
        assert all(query["category"] in row["categories"] for row in rows if "category" in query), query
        ids = [row["id"] for row in rows]
        assert bool(ids) == (query != {"country": "SG", "tier": "GOLD"}), query  # Harbour Chandlers is silver
        response = browser.get(picker, query)
        assert response.status_code == 200
        assert sorted(ids) == sorted(row["supplier"].pk for row in response.context["rows"]), query
    tiers = [row["tier"] for row in buyer.get("/api/v1/suppliers/", {"ordering": "-tier"}).json()]
    assert tiers == sorted(tiers, key=["GOLD", "SILVER", "BRONZE", "PENDING"].index)  # by rank, not by name
    names = [row["name"] for row in buyer.get("/api/v1/suppliers/", {"search": "MARINE"}).json()]
    assert names == ["Poseidon Marine Supply"]


BAD = [
    ("/api/v1/rfqs/", {"status": "bogus"}, "status"),
    ("/api/v1/rfqs/", {"status": ""}, "status"),
    ("/api/v1/rfqs/", {"auction_type": "DUTCH"}, "auction_type"),
    ("/api/v1/rfqs/", {"category": ""}, "category"),
    ("/api/v1/rfqs/", {"deadline_before": "2026-13-01"}, "deadline_before"),
    ("/api/v1/rfqs/", {"deadline_after": "tomorrow"}, "deadline_after"),
    ("/api/v1/rfqs/", {"ordering": "reserve_amount"}, "ordering"),
    ("/api/v1/rfqs/", {"ordering": "--title"}, "ordering"),
    ("/api/v1/rfqs/", {"search": "x" * 201}, "search"),
    ("/api/v1/rfqs/", {"format": "csv", "status": "bogus"}, "status"),
    ("/api/v1/suppliers/", {"country": "XX"}, "country"),
    ("/api/v1/suppliers/", {"tier": "PLATINUM"}, "tier"),
    ("/api/v1/suppliers/", {"kyc_status": "verified"}, "kyc_status"),
    ("/api/v1/suppliers/", {"ordering": "contact_email"}, "ordering"),
    ("/api/v1/invitations/", {"status": "PENDING"}, "status"),  # never visible to a supplier
    ("/api/v1/invitations/", {"ordering": "supplier"}, "ordering"),
]


@pytest.mark.parametrize(("path", "query", "field"), BAD, ids=[f"{p}{q}"[:60] for p, q, _ in BAD])
def test_a_bad_filter_value_is_a_400_naming_it(api, path, query, field):
    username = "supplier1" if "invitations" in path else "buyer"
    error = assert_error(api(username).get(path, query), 400, "invalid")
    assert field in error["fields"], error


def test_every_bad_value_is_named_at_once(api):
    error = assert_error(api("buyer").get("/api/v1/rfqs/", {"status": "x", "ordering": "y", "deadline_after": "z"}), 400)
    assert set(error["fields"]) == {"status", "ordering", "deadline_after"}


@pytest.mark.parametrize(("url", "username"), [("buyer-rfq-list", "buyer"), ("supplier-invitations", "supplier1")])
def test_a_page_shows_a_bad_filter_value_and_no_rows(login, url, username):
    response = login(username).get(reverse(url), {"ordering": "secret", "search": "twin"})
    assert response.status_code == 400
    assert 'data-testid="filter-errors"' in response.content.decode()
    assert "ordering" in response.context["errors"]
    assert not list(response.context["page"])


def test_a_page_drops_blank_filters_from_its_address(login):
    response = login("buyer").get(reverse("buyer-rfq-list"), {"search": "", "status": "open", "category": ""})
    assert response.status_code == 302 and response["Location"] == reverse("buyer-rfq-list") + "?status=open"


def test_api_pages_keep_the_filters(twins, api):
    buyer = api("buyer")
    query = {"search": "twin", "ordering": "title"}
    whole = api_ids(buyer, "/api/v1/rfqs/", query)
    assert len(whole) == 2
    page = buyer.get("/api/v1/rfqs/", {**query, "limit": 1}).json()
    assert page["count"] == 2 and [r["id"] for r in page["results"]] == whole[:1]
    assert parse_qs(urlsplit(page["next"]).query) == {"search": ["twin"], "ordering": ["title"], "limit": ["1"],
                                                       "offset": ["1"]}
    following = buyer.get(page["next"]).json()
    assert [r["id"] for r in following["results"]] == whole[1:] and following["next"] is None


def test_page_links_keep_the_filters(twins, login, demo, monkeypatch):
    monkeypatch.setattr("common.listing.PAGE_SIZE", 2)
    more = [create_draft(demo, title=f"{TWIN} {n}") for n in range(3)]
    browser = login("buyer")
    query = {"ordering": "-reference", "search": "twin"}
    expected = sorted([*twins["buyer"].values(), *more], reverse=True)  # 5 rows: three pages
    url, seen = reverse("buyer-rfq-list") + "?" + "&".join(f"{k}={v}" for k, v in query.items()), []
    while url:
        response = browser.get(url)
        seen += [row.pk for row in response.context["rfqs"]]
        links = re.findall(r'rel="next" href="([^"]+)"', response.content.decode())
        url = (reverse("buyer-rfq-list") + links[0].replace("&amp;", "&")) if links else ""
        if url:
            assert {k: v[0] for k, v in parse_qs(urlsplit(url).query).items() if k != "page"} == query
    assert seen == expected


def test_the_csv_export_honours_the_filters(twins, api):
    buyer = api("buyer")
    query = {"search": "twin", "ordering": "-title"}
    response = buyer.get("/api/v1/rfqs/", {**query, "format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [int(row[0]) for row in rows[1:]] == api_ids(buyer, "/api/v1/rfqs/", query) == \
        [twins["buyer"]["draft"], twins["buyer"]["open"]]
