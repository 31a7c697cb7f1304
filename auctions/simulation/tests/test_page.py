"""The buyer's what-if page: form, results table, SVG chart, past simulations, the link to it."""
import re

from auctions.simulation.models import Simulation
from tests.api.helpers import create_draft

FORM = {"baseline_total": "12000.00", "bidders": "6", "cost_spread": "0.15", "runs": "200", "seed": "5",
        "auction_types": ["SEALED_BID", "REVERSE_AUCTION"], "pricing": ["FIRST_PRICE", "SECOND_PRICE"]}


def test_the_buyer_runs_a_simulation_and_sees_table_and_chart(demo, login):
    rfq = create_draft(demo)  # hidden reserve 9 000: the page defaults the baseline to it
    client = login("buyer")
    detail = client.get(f"/rfqs/{rfq}/").content.decode()
    assert f'href="/rfqs/{rfq}/simulations/"' in detail
    page = client.get(f"/rfqs/{rfq}/simulations/").content.decode()
    assert 'value="9000"' in page and "simulation-chart" not in page
    response = client.post(f"/rfqs/{rfq}/simulations/", {**FORM, "baseline_total": "8000.00"})
    simulation = Simulation.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"?simulation={simulation.pk}")
    page = client.get(response["Location"]).content.decode()
    assert page.count('data-testid="simulation-chart-row"') == 3
    assert "Sealed bid · second price (Vickrey)" in page and "Reverse auction · pay as bid" in page
    assert 'class="chart__reserve"' in page  # the reserve line on the price axis
    assert simulation.results[0]["expected_total"] in page
    assert re.search(r'data-testid="simulation-seed">5<', page)


def test_a_bad_form_shows_its_errors(demo, login):
    rfq = create_draft(demo)
    page = login("buyer").post(f"/rfqs/{rfq}/simulations/", {**FORM, "runs": "20000", "cost_spread": "2"})
    assert page.status_code == 200 and not Simulation.objects.exists()
    assert "less than or equal to 10000" in page.content.decode()


def test_others_may_not_see_the_page(demo, login):
    rfq = create_draft(demo)
    assert login("buyer2").get(f"/rfqs/{rfq}/simulations/").status_code == 404
    assert login("supplier1").get(f"/rfqs/{rfq}/simulations/").status_code == 404


def test_a_split_award_rfq_shows_its_split_formats_and_winners(demo, login):
    rfq = create_draft(demo, reserve_price={"enabled": False, "amount": None, "visibility": "hidden",
                                            "auto_accept_if_met": False, "notify_buyer_if_not_met": True},
                       auction={"type": "SEALED_BID", "settings": {"award_mode": "SPLIT", "pricing": "VCG"}})
    client = login("buyer")
    page = client.get(f"/rfqs/{rfq}/simulations/").content.decode()
    # The RFQ's own pricing is ticked by default, beside first and second price.
    for value in ("FIRST_PRICE", "SECOND_PRICE", "VCG"):
        assert re.search(rf'value="{value}"[^>]*checked', page), value
    response = client.post(f"/rfqs/{rfq}/simulations/", {**FORM, "runs": "40", "pricing": ["FIRST_PRICE", "VCG"]})
    page = client.get(response["Location"]).content.decode()
    assert "Sealed bid · split lines · pay as bid" in page and "Sealed bid · split lines · VCG" in page
    assert "<th class=\"num\">Winners</th>" in page and "2 line(s)" in page
    # Too large to compute: the form says how many runs fit, nothing is stored.
    before = Simulation.objects.count()
    refused = client.post(f"/rfqs/{rfq}/simulations/", {**FORM, "runs": "10000", "bidders": "200",
                                                        "auction_types": ["COMBINATORIAL"], "pricing": ["VCG"]})
    assert refused.status_code == 200 and "At most" in refused.content.decode()
    assert Simulation.objects.count() == before
