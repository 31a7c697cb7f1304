"""Lots on the pages: the supplier bids line by line from its RFQ page (one form per line, the
line's figures beside it); the buyer's monitor lists each line's leader."""
from __future__ import annotations

from django.urls import reverse

from rfqs.models import LineItem
from tests.engine.helpers import created, items

from .helpers import lot_bid, lots_auction


def test_the_supplier_bids_per_line_on_its_page_and_the_buyer_sees_each_lines_leader(api, demo, login):
    rfq = lots_auction(demo)
    rice, flour = items(rfq)
    created(lot_bid(api, "supplier2", rfq, rice, "950.00"))
    page = login("supplier1").get(reverse("supplier-rfq", args=[rfq])).content.decode()
    assert 'data-testid="lots"' in page and f'data-lot="{rice}"' in page and f'data-lot="{flour}"' in page
    assert "USD 950.00" in page and "USD 940.00" in page  # rice: leading, and the most a bid may be now
    posted = login("supplier1").post(reverse("supplier-rfq-bid", args=[rfq]),
                                     {"amount": "480.00", "line_item_id": str(flour)})
    assert posted.status_code == 302
    assert LineItem.objects.get(pk=flour).best_amount == 480
    refused = login("supplier1").post(reverse("supplier-rfq-bid", args=[rfq]),
                                      {"amount": "949.00", "line_item_id": str(rice)})
    assert refused.status_code == 200 and "minimum decrement" in refused.content.decode()
    assert LineItem.objects.get(pk=rice).best_amount == 950
    monitor = login("buyer").get(reverse("buyer-rfq-detail", args=[rfq])).content.decode()
    lots = monitor.split('data-testid="buyer-lots"')[1].split("</table>")[0]
    assert demo.supplier(2).name in lots and demo.supplier(1).name in lots and "USD 480.00" in lots
