"""POST/GET /api/v1/rfqs/{id}/simulations/ (api.md "What-if simulation"): contract, bounds,
who may, and the task path for long simulations."""
import pytest
from django.conf import settings

from auctions.simulation import services
from auctions.simulation.models import Simulation
from auctions.simulation.tasks import run_simulation
from tests.api.helpers import assert_error, create_draft

BODY = {"baseline_total": "12000.00", "bidders": 6, "cost_spread": "0.15", "runs": 300, "seed": 42,
        "auction_types": ["SEALED_BID", "REVERSE_AUCTION"], "pricing": ["FIRST_PRICE", "SECOND_PRICE"]}
RESULT_KEYS = {"auction_type", "pricing", "expected_total", "p5", "p50", "p95", "no_award_rate", "mean_winner_margin"}


@pytest.fixture
def draft(demo):
    return create_draft(demo, reserve_price={"enabled": False, "amount": None, "visibility": "hidden",
                                             "auto_accept_if_met": False, "notify_buyer_if_not_met": True})


def url(rfq_id, sid=None):
    return f"/api/v1/rfqs/{rfq_id}/simulations/" + (f"{sid}/" if sid else "")


def test_a_small_simulation_answers_201_with_its_results(api, draft):
    response = api("buyer").post(url(draft), BODY, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert {"id", "seed", "runs", "results"} <= set(body) and body["seed"] == 42 and body["runs"] == 300
    assert body["status"] == "done" and body["progress"] == 1.0
    assert [(r["auction_type"], r["pricing"]) for r in body["results"]] == [
        ("SEALED_BID", "FIRST_PRICE"), ("SEALED_BID", "SECOND_PRICE"), ("REVERSE_AUCTION", "FIRST_PRICE")]
    for result in body["results"]:
        assert RESULT_KEYS <= set(result)
        for key in ("expected_total", "p5", "p50", "p95", "mean_winner_margin"):
            assert isinstance(result[key], str) and "." in result[key]  # money as decimal strings
        assert float(result["p5"]) <= float(result["p50"]) <= float(result["p95"])
        assert result["no_award_rate"] == 0
    # Listed, and readable one by one; the same seed replays the same results.
    listed = api("buyer").get(url(draft)).json()
    assert [s["id"] for s in listed] == [body["id"]]
    assert api("buyer").get(url(draft, body["id"])).json()["results"] == body["results"]
    again = api("buyer").post(url(draft), BODY, format="json").json()
    assert again["results"] == body["results"] and again["id"] != body["id"]


def test_the_seed_is_generated_and_recorded_when_omitted(api, draft):
    body = {k: v for k, v in BODY.items() if k != "seed"}
    first = api("buyer").post(url(draft), body, format="json").json()
    second = api("buyer").post(url(draft), body, format="json").json()
    assert isinstance(first["seed"], int) and first["seed"] != second["seed"]
    assert first["results"] != second["results"]
    assert Simulation.objects.get(pk=first["id"]).seed == first["seed"]


def test_the_rfq_reserve_gives_a_no_award_rate(api, demo):
    rfq = create_draft(demo)  # the payload's hidden reserve: 9 000, below every phantom cost
    result = api("buyer").post(url(rfq), BODY, format="json").json()["results"]
    assert all(r["no_award_rate"] == 1.0 and r["expected_total"] is None for r in result)


@pytest.mark.parametrize(("field", "value"), [
    ("runs", 10_001), ("runs", 0), ("bidders", 0), ("bidders", 201), ("runs", "500"), ("bidders", 6.5),
    ("baseline_total", 12000), ("baseline_total", "0"), ("baseline_total", "1e4"), ("cost_spread", "1.5"),
    ("cost_spread", "0"), ("cost_spread", 0.15), ("seed", -1), ("seed", 2**32), ("auction_types", []),
    ("auction_types", ["MULTI_ATTRIBUTE"]), ("pricing", ["THIRD_PRICE"]),
])
def test_out_of_bounds_input_is_a_400_in_the_error_format(api, draft, field, value):
    error = assert_error(api("buyer").post(url(draft), {**BODY, field: value}, format="json"), 400)
    assert any(name.startswith(field) for name in error["fields"]), error
    assert not Simulation.objects.exists()


def test_the_upper_bounds_are_accepted(api, draft):
    body = {**BODY, "runs": 10_000, "bidders": 200, "auction_types": ["REVERSE_AUCTION"]}
    assert api("buyer").post(url(draft), body, format="json").status_code == 201


def test_who_may_simulate(api, demo, draft):
    assert_error(api("buyer2").post(url(draft), BODY, format="json"), 404)  # another organisation's draft
    assert_error(api("buyer2").get(url(draft)), 404)
    assert_error(api("supplier1").post(url(draft), BODY, format="json"), 404)  # suppliers never see drafts
    assert_error(api(None).get(url(draft)), 401)
    from tests.api.helpers import rfq_in_state
    published = rfq_in_state(demo, "published")  # supplier1 is invited: it sees the RFQ, not its simulations
    assert_error(api("supplier1").post(url(published), BODY, format="json"), 403)
    assert_error(api("supplier1").get(url(published)), 403)
    assert api("buyer").post(url(published), BODY, format="json").status_code == 201  # any status
    sid = Simulation.objects.get(rfq_id=published).pk
    assert_error(api("buyer").get(url(draft, sid)), 404)  # not this RFQ's simulation


def test_a_long_simulation_runs_as_a_task_and_records_progress(api, draft, monkeypatch,
                                                                django_capture_on_commit_callbacks):
    sent, seen = [], []
    real = services.simulate

    def watched(spec, *, progress=None):
        if progress is None:  # inline: nothing to watch
            return real(spec)

        def record(fraction):
            progress(fraction)
            seen.append(Simulation.objects.get().progress)
        return real(spec, progress=record)

    monkeypatch.setattr(services, "simulate", watched)
    monkeypatch.setattr(run_simulation, "apply_async", lambda args, **options: sent.append(args))
    body = {**BODY, "runs": 1000}  # × 3 formats > 2000: a task
    with django_capture_on_commit_callbacks(execute=True):
        response = api("buyer").post(url(draft), body, format="json")
    assert response.status_code == 201
    running = response.json()
    assert (running["status"], running["progress"], running["results"]) == ("running", 0.0, [])
    assert sent == [[running["id"]]]  # sent after the commit
    assert api("buyer").get(url(draft, running["id"])).json()["status"] == "running"
    run_simulation.apply(args=sent[0], throw=True)  # what a worker does with it
    done = api("buyer").get(url(draft, running["id"])).json()
    assert done["status"] == "done" and done["progress"] == 1.0 and len(done["results"]) == 3
    assert len(seen) >= 10 and seen == sorted(seen) and 0 < seen[0] < seen[-1] < 1
    inline = api("buyer").post(url(draft), {**body, "runs": 600}, format="json").json()  # 1800: inline
    assert inline["status"] == "done" and len(sent) == 1
    assert [r["expected_total"] for r in inline["results"]] != [r["expected_total"] for r in done["results"]]


@pytest.mark.skipif(not settings.CELERY_TASK_ALWAYS_EAGER, reason="the embedded default runs tasks in-process")
def test_on_the_embedded_default_the_task_runs_in_process_after_the_commit(api, draft,
                                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = api("buyer").post(url(draft), {**BODY, "runs": 2500, "auction_types": ["SEALED_BID"]},
                                    format="json").json()
    assert created["status"] == "running"
    done = api("buyer").get(url(draft, created["id"])).json()
    assert done["status"] == "done" and done["progress"] == 1.0 and len(done["results"]) == 2


NO_RESERVE = {"enabled": False, "amount": None, "visibility": "hidden", "auto_accept_if_met": False,
              "notify_buyer_if_not_met": True}
DEFAULTED = {k: v for k, v in BODY.items() if k not in ("auction_types", "pricing")}


def formats_of(body):
    return [(r["auction_type"], r["pricing"], r["award_mode"]) for r in body["results"]]


def test_a_split_award_rfq_is_simulated_as_configured(api, demo, django_capture_on_commit_callbacks):
    """Without formats asked for: the defaults and the RFQ's own pricing, the sealed bid with its
    split award over the RFQ's lines (40 and 20 bags)."""
    rfq = create_draft(demo, reserve_price=NO_RESERVE,
                       auction={"type": "SEALED_BID", "settings": {"award_mode": "SPLIT", "pricing": "VCG"}})
    response = api("buyer").post(url(rfq), {**DEFAULTED, "runs": 40}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["auction_types"], body["pricing"]) == (["SEALED_BID", "REVERSE_AUCTION"],
                                                        ["FIRST_PRICE", "SECOND_PRICE", "VCG"])
    assert body["status"] == "done" and formats_of(body) == [
        ("SEALED_BID", "FIRST_PRICE", "SPLIT"), ("SEALED_BID", "VCG", "SPLIT"), ("REVERSE_AUCTION", "FIRST_PRICE", "WHOLE")]
    assert body["assumptions"]["lines"] == [40, 20]
    assert any("split" in note.lower() for note in body["assumptions"]["notes"])
    for result in body["results"]:
        assert RESULT_KEYS <= set(result) and result["no_award_rate"] == 0
        assert 1 <= result["mean_winners"] <= (2 if result["award_mode"] == "SPLIT" else 1)
    # Split runs weigh more (catalogue.run_work): 300 of them go to a task.
    with django_capture_on_commit_callbacks(execute=False):
        longer = api("buyer").post(url(rfq), {**DEFAULTED, "runs": 300}, format="json").json()
    assert longer["status"] == "running"



def test_a_bundle_auction_rfq_is_simulated_with_bundles(api, demo):
    rfq = create_draft(demo, reserve_price=NO_RESERVE, auction={"type": "COMBINATORIAL", "settings": {"pricing": "VCG"}})
    body = api("buyer").post(url(rfq), {**DEFAULTED, "runs": 10}, format="json").json()
    assert formats_of(body) == [
        ("SEALED_BID", "FIRST_PRICE", "WHOLE"), ("SEALED_BID", "SECOND_PRICE", "WHOLE"),
        ("REVERSE_AUCTION", "FIRST_PRICE", "WHOLE"), ("COMBINATORIAL", "FIRST_PRICE", "BUNDLES"),
        ("COMBINATORIAL", "VCG", "BUNDLES")]
    assert any("heuristic" in note for note in body["assumptions"]["notes"])
    # Asked for explicitly: a rule a format cannot pay by is left out, and one it can pay by is kept.
    only = api("buyer").post(url(rfq), {**BODY, "runs": 10, "auction_types": ["COMBINATORIAL"],
                                        "pricing": ["SECOND_PRICE", "VCG"]}, format="json").json()
    assert formats_of(only) == [("COMBINATORIAL", "VCG", "BUNDLES")]
    # 10 000 runs of 200 phantoms' bundles under VCG are too many: a 400 that says how many fit.
    before = Simulation.objects.count()
    refused = api("buyer").post(url(rfq), {**DEFAULTED, "runs": 10_000, "bidders": 200}, format="json")
    error = assert_error(refused, 400, contains="At most")
    assert "runs" in error["fields"] and Simulation.objects.count() == before
