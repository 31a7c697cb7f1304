"""Exports (api.md "Around the event"): the side-by-side comparison as XLSX and CSV holds the
figures of GET /evaluation/, the bids and the RFQ list as CSV, and no sealed figure leaves
before the close."""
from __future__ import annotations

import csv
import io
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook

from rfqs.models import RFQ
from tests.engine.helpers import bid, created, items, quote, reverse_auction, sealed_auction, transition
from tests.engine.split_helpers import bundle_auction, bundles, close_and_evaluate, split_auction, split_quotes
from tests.factories import move_deadline_into_past, published_rfq

from .helpers import assert_error

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LEAD = 4  # Line, Description, Quantity, Unit


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def workbook(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(response.content)).active


def rows_of(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def labelled(rows, label: str) -> list:
    return next(row for row in rows if row and row[0] == label)


def groups(rows) -> list[str]:
    """The supplier group names of the first header row, one per two columns."""
    return [rows[0][LEAD + 2 * i] for i in range((len(rows[0]) - LEAD) // 2)]


def assert_same_figures(rows, evaluation: dict) -> None:
    """Totals, scores and ranks per supplier group are the evaluation's, in rank order."""
    rankings = evaluation["rankings"]
    assert groups(rows) == [f"{r['rank']}. {r['supplier']['name']}" for r in rankings]
    total, score, rank = labelled(rows, "Total"), labelled(rows, "Score"), labelled(rows, "Rank")
    for i, ranked in enumerate(rankings):
        column = LEAD + 2 * i + 1  # the amount column of the group
        assert money(total[column]) == Decimal(ranked["total"])
        assert float(score[column]) == pytest.approx(ranked["score"])
        assert int(rank[column]) == ranked["rank"]


def close(api, rfq) -> dict:
    move_deadline_into_past(rfq)
    assert transition(api, "buyer", rfq, "close").status_code == 200
    response = api("buyer").get(f"/api/v1/rfqs/{rfq}/evaluation/")
    assert response.status_code == 200, response.content
    return response.json()


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


@pytest.fixture
def reverse_closed(demo, api):
    rfq = reverse_auction(demo)
    for user, amount in (("supplier1", "9500.00"), ("supplier2", "9000.00"), ("supplier3", "8800.00"),
                         ("supplier1", "8500.00")):
        created(bid(api, user, rfq, amount))
    return rfq, close(api, rfq)


def test_reverse_auction_xlsx_holds_the_evaluation_figures(api, reverse_closed):
    rfq, evaluation = reverse_closed
    response = api("buyer").get(f"/api/v1/rfqs/{rfq}/evaluation/?format=xlsx")
    sheet = workbook(response)
    assert response["Content-Disposition"] == f'attachment; filename="RFQ-{rfq:06d}-comparison.xlsx"'
    rows = rows_of(sheet)
    assert_same_figures(rows, evaluation)
    # Real numbers with the currency's number format, not strings; headers bold, frozen, merged.
    total_row = next(row for row in sheet.iter_rows() if row[0].value == "Total")
    amount = total_row[LEAD + 1]
    assert isinstance(amount.value, int | float) and amount.number_format == "#,##0.00"
    assert sheet.freeze_panes == "E3"
    assert sheet["A1"].font.bold and sheet["E2"].font.bold
    assert "E1:F1" in {str(merged) for merged in sheet.merged_cells.ranges}
    assert sheet.column_dimensions["B"].width >= 30


def test_compliance_downloads_the_csv_of_the_same_table(api, reverse_closed):
    rfq, evaluation = reverse_closed
    response = api("compliance").get(f"/api/v1/rfqs/{rfq}/evaluation/?format=csv")
    rows = csv_rows(response)
    assert response["Content-Disposition"] == f'attachment; filename="RFQ-{rfq:06d}-comparison.csv"'
    assert rows[1][LEAD:LEAD + 2] == ["Unit price (USD)", "Amount (USD)"]
    assert_same_figures(rows, evaluation)


def sealed_quotes(api, rfq) -> dict[str, tuple[str, str]]:
    rice, flour = items(rfq)
    prices = {"supplier1": ("10.00", "8.00"), "supplier2": ("11.50", "6.25"), "supplier3": ("9.75", "9.00")}
    for user, (rice_price, flour_price) in prices.items():
        created(quote(api, user, rfq, {rice: rice_price, flour: flour_price}))
    return prices


def test_sealed_multi_line_comparison_has_every_line_price(demo, api):
    rfq = sealed_auction(demo)
    prices = sealed_quotes(api, rfq)
    evaluation = close(api, rfq)
    names = {r["supplier"]["name"]: f"supplier{n}" for n in (1, 2, 3)
             for r in evaluation["rankings"] if r["supplier"]["id"] == demo.supplier(n).pk}
    for rows in (rows_of(workbook(api("buyer").get(f"/api/v1/rfqs/{rfq}/evaluation/?format=xlsx"))),
                 csv_rows(api("buyer").get(f"/api/v1/rfqs/{rfq}/evaluation/?format=csv"))):
        assert_same_figures(rows, evaluation)
        lines = rows[2:4]
        assert [str(row[1]) for row in lines] == ["Rice 25kg", "Flour 10kg"]
        assert [Decimal(str(row[2])) for row in lines] == [40, 20]
        for i, group in enumerate(groups(rows)):
            user = names[group.split(". ", 1)[1]]
            for line, price, quantity in zip(lines, prices[user], (40, 20), strict=True):
                assert money(line[LEAD + 2 * i]) == Decimal(price)
                assert money(line[LEAD + 2 * i + 1]) == Decimal(price) * quantity


def test_sealed_before_close_no_amount_in_any_export(demo, api):
    rfq = sealed_auction(demo)
    prices = sealed_quotes(api, rfq)
    for kind in ("xlsx", "csv"):
        assert_error(api("buyer").get(f"/api/v1/rfqs/{rfq}/evaluation/?format={kind}"), 409)
    response = api("buyer").get(f"/api/v1/rfqs/{rfq}/bids/?format=csv")
    assert csv_rows(response) == [["sealed", "count_submitted"], ["true", "3"]]
    text = response.content.decode()
    assert not any(price in text for pair in prices.values() for price in pair)
    # After the close the same export lists every quote with its amount.
    close(api, rfq)
    rows = csv_rows(api("buyer").get(f"/api/v1/rfqs/{rfq}/bids/?format=csv"))
    assert rows[0] == ["bid_id", "supplier_id", "supplier", "version", "status", "submitted_at", "withdrawn_at",
                       "amount"]
    json_bids = api("buyer").get(f"/api/v1/rfqs/{rfq}/bids/").json()
    assert sorted((int(row[0]), row[7]) for row in rows[1:]) == sorted((b["id"], b["amount"]) for b in json_bids)


def test_reverse_bids_csv_has_every_bid_and_version(api, reverse_closed):
    rfq, _ = reverse_closed
    response = api("buyer").get(f"/api/v1/rfqs/{rfq}/bids/?format=csv")
    rows = csv_rows(response)
    assert response["Content-Disposition"] == f'attachment; filename="RFQ-{rfq:06d}-bids.csv"'
    json_bids = api("buyer").get(f"/api/v1/rfqs/{rfq}/bids/").json()
    assert len(rows) == 1 + len(json_bids) == 5
    by_id = {b["id"]: b for b in json_bids}
    for row in rows[1:]:
        expected = by_id[int(row[0])]
        assert row[3:8] == [str(expected["version"]), expected["status"], expected["submitted_at"],
                            expected["withdrawn_at"] or "", expected["amount"]]


def test_split_award_export_carries_the_allocation(demo, api):
    rfq = split_auction(demo)
    split_quotes(api, rfq)
    evaluation = close_and_evaluate(api, rfq)
    rows = rows_of(workbook(api("buyer").get(f"/api/v1/rfqs/{rfq}/evaluation/?format=xlsx")))
    assert_same_figures(rows, evaluation)
    start = rows.index(labelled(rows, "Allocation"))
    header = rows[start + 1]
    assert list(header[:6]) == ["Line", "Description", "Quantity", "Supplier", "Unit price", "Amount"]
    allocated = rows[start + 2:start + 2 + len(evaluation["allocation"])]
    assert [(row[3], Decimal(str(row[2])), money(row[4]), money(row[5])) for row in allocated] == [
        (a["supplier"]["name"], Decimal(str(a["quantity"])), Decimal(a["unit_price"]), Decimal(a["amount"]))
        for a in evaluation["allocation"]]
    assert money(labelled(rows, "Total cost")[5]) == Decimal(evaluation["total_cost"]) == Decimal("560.00")
    assert money(labelled(rows, "Saving")[5]) == Decimal(evaluation["saving"])
    csv_table = csv_rows(api("buyer").get(f"/api/v1/rfqs/{rfq}/evaluation/?format=csv"))
    assert Decimal(labelled(csv_table, "Total cost")[5]) == Decimal(evaluation["total_cost"])


def test_bundle_export_lists_every_bundle_offered(demo, api):
    """A bundle's price covers its lines together: the comparison lists each bundle (its lines by
    position, its price) beside the allocation, in XLSX and CSV alike, suppliers in rank order."""
    rfq = bundle_auction(demo)
    rice, flour = items(rfq)
    offers = {demo.supplier(1).name: [("1, 2", "75.00"), ("1", "40.00")],
              demo.supplier(2).name: [("2", "30.00"), ("1, 2", "80.00")]}
    created(bundles(api, "supplier1", rfq, [([rice, flour], "75.00"), ([rice], "40.00")]))
    created(bundles(api, "supplier2", rfq, [([flour], "30.00"), ([rice, flour], "80.00")]))
    evaluation = close_and_evaluate(api, rfq)
    ranked = [r["supplier"]["name"] for r in evaluation["rankings"]]
    expected = [(n + 1, lines, name, Decimal(price)) for name in ranked for n, (lines, price) in enumerate(offers[name])]
    for table in (rows_of(workbook(api("buyer").get(f"/api/v1/rfqs/{rfq}/evaluation/?format=xlsx"))),
                  csv_rows(api("buyer").get(f"/api/v1/rfqs/{rfq}/evaluation/?format=csv"))):
        start = table.index(labelled(table, "Bundle offers"))
        assert [cell or "" for cell in table[start + 1][:6]] == ["Bundle", "Lines", "", "Supplier", "", "Price"]
        assert [(int(row[0]), str(row[1]), row[3], money(row[5])) for row in table[start + 2:start + 6]] == expected
        assert money(labelled(table, "Total cost")[5]) == Decimal(evaluation["total_cost"]) == Decimal("70.00")


@pytest.mark.parametrize("path", ["evaluation/?format=xlsx", "evaluation/?format=csv", "bids/?format=csv"])
def test_exports_answer_only_the_buyer_and_compliance(api, reverse_closed, path):
    rfq, _ = reverse_closed
    assert_error(api("buyer2").get(f"/api/v1/rfqs/{rfq}/{path}"), 404, "not_found")
    assert_error(api("supplier1").get(f"/api/v1/rfqs/{rfq}/{path}"), 403, "permission_denied")
    assert_error(api("supplier5").get(f"/api/v1/rfqs/{rfq}/{path}"), 404, "not_found")
    assert api("compliance").get(f"/api/v1/rfqs/{rfq}/{path}").status_code == 200


@pytest.mark.parametrize("path", ["rfqs/{rfq}/evaluation/", "rfqs/{rfq}/bids/", "rfqs/", "rfqs/{rfq}/events/stream/"])
def test_an_unknown_or_empty_format_is_a_json_error(api, reverse_closed, path):
    rfq, _ = reverse_closed
    url = f"/api/v1/{path.format(rfq=rfq)}"
    assert_error(api("buyer").get(url + "?format=pdf"), 400, "invalid")
    assert_error(api("buyer").get(url + "?format=%C3%B4%08"), 400, "invalid")
    assert_error(api("buyer").get(url + "?format="), 400, "invalid")


def test_a_write_never_renders_as_a_download(api, demo):
    rfq = reverse_auction(demo)
    assert_error(api("supplier1").post(f"/api/v1/rfqs/{rfq}/bids/?format=csv", {"amount": "9000.00"},
                                       format="json"), 400)


def test_rfq_list_csv_keeps_the_filters(api, reverse_closed):
    rfq, _ = reverse_closed
    status = RFQ.objects.get(pk=rfq).status
    rows = csv_rows(api("buyer").get(f"/api/v1/rfqs/?format=csv&status={status}"))
    listed = api("buyer").get(f"/api/v1/rfqs/?status={status}").json()
    assert rows[0][:4] == ["id", "reference", "title", "status"]
    assert [(int(row[0]), row[1], row[3]) for row in rows[1:]] == [
        (r["id"], r["reference"], r["status"]) for r in listed]
    assert rfq in {int(row[0]) for row in rows[1:]}
    everything = csv_rows(api("buyer").get("/api/v1/rfqs/?format=csv"))
    assert len(everything) - 1 == RFQ.objects.filter(buyer_organization=demo_org(api)).count() > len(rows) - 1
    assert_error(api("supplier1").get("/api/v1/rfqs/?format=csv"), 403, "permission_denied")


def demo_org(api):
    return RFQ.objects.get(pk=api("buyer").get("/api/v1/rfqs/").json()[0]["id"]).buyer_organization


# --- The pages' buttons: links to the API, which takes the page's session ------------------------

def link(page, testid: str) -> str:
    import re

    match = re.search(rf'href="([^"]+)"[^>]*data-testid="{testid}"', page.content.decode())
    assert match, testid
    return match.group(1).replace("&amp;", "&")


def test_the_buttons_download_with_the_page_session(login, api, reverse_closed):
    rfq, evaluation = reverse_closed
    browser = login("buyer")
    for page_url in (f"/rfqs/{rfq}/evaluation/", f"/rfqs/{rfq}/"):
        page = browser.get(page_url)
        assert page.status_code == 200, page_url
        assert_same_figures(rows_of(workbook(browser.get(link(page, "comparison-xlsx")))), evaluation)
        assert_same_figures(csv_rows(browser.get(link(page, "comparison-csv"))), evaluation)
    monitor = browser.get(f"/rfqs/{rfq}/")
    assert len(csv_rows(browser.get(link(monitor, "bids-csv")))) == 5
    status = RFQ.objects.get(pk=rfq).status
    listing = browser.get(f"/rfqs/?status={status}")
    url = link(listing, "rfq-list-csv")
    assert parse_qs(urlsplit(url).query) == {"format": ["csv"], "status": [status]}  # the page's filters
    assert rfq in {int(row[0]) for row in csv_rows(browser.get(url))[1:]}


def test_the_monitor_of_an_unopened_sealed_rfq_offers_no_comparison(demo, login, api):
    rfq = sealed_auction(demo)
    sealed_quotes(api, rfq)
    page = login("buyer").get(f"/rfqs/{rfq}/")
    assert 'data-testid="comparison-xlsx"' not in page.content.decode()
    assert csv_rows(login("buyer").get(link(page, "bids-csv"))) == [["sealed", "count_submitted"], ["true", "3"]]


def test_a_description_that_looks_like_a_formula_stays_text(demo, api):
    lines = [{"description": '=HYPERLINK("http://evil.example","Rice")', "quantity": "40", "unit": "bag"},
             {"description": "+Flour", "quantity": "20", "unit": "bag"}]
    rfq = published_rfq(demo, suppliers=(1, 2), accept=(1, 2), line_items=lines, reserve_price={"enabled": False},
                        auction={"type": "SEALED_BID", "settings": {}})
    rice, flour = items(rfq)
    created(quote(api, "supplier1", rfq, {rice: "10.00", flour: "8.00"}))
    close(api, rfq)
    sheet = workbook(api("buyer").get(f"/api/v1/rfqs/{rfq}/evaluation/?format=xlsx"))
    assert sheet["B3"].data_type == "s" and sheet["B3"].value == lines[0]["description"]
    rows = csv_rows(api("buyer").get(f"/api/v1/rfqs/{rfq}/evaluation/?format=csv"))
    assert [rows[2][1], rows[3][1]] == ["'" + lines[0]["description"], "'+Flour"]


def test_rfq_list_csv_keeps_the_page_and_anonymous_is_401(api, reverse_closed):
    page = api("buyer").get("/api/v1/rfqs/?limit=2&offset=1").json()["results"]
    rows = csv_rows(api("buyer").get("/api/v1/rfqs/?format=csv&limit=2&offset=1"))
    assert [int(row[0]) for row in rows[1:]] == [r["id"] for r in page]
    rfq, _ = reverse_closed
    for url in ("/api/v1/rfqs/?format=csv", f"/api/v1/rfqs/{rfq}/evaluation/?format=xlsx",
                f"/api/v1/rfqs/{rfq}/bids/?format=csv"):
        assert_error(api(None).get(url), 401, "not_authenticated")
