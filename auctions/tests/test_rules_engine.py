"""The rule engine: one registration adds a rule; phases, actions and auction types select
which rules run; findings become violations; a refusal is 422, or 429 when only rate rules
refused."""
import pytest

from auctions.rules import REGISTRY, Finding, rule, run_rules
from auctions.rules.engine import CATEGORIES, SEVERITIES
from auctions.services.bids import BidRejected

from .rule_context import auction, bid_at, context

SPEC_RULES = {
    # id: (category, phase, actions)
    "supplier_kyc_valid": ("eligibility", "pre", ("place", "withdraw")),
    "supplier_invited": ("eligibility", "pre", ("place", "withdraw")),
    "category_qualified": ("eligibility", "pre", ("place",)),
    "currency_matches": ("format", "pre", ("place",)),
    "amount_format": ("format", "pre", ("place",)),
    "line_items_complete": ("format", "pre", ("place",)),
    "criteria_responses_valid": ("format", "pre", ("place",)),
    "quote_validity": ("validity", "locked", ("place",)),  # reads the deadline, the row's live state
    "revision_allowed": ("validity", "locked", ("place",)),
    "bid_withdrawable": ("validity", "locked", ("withdraw",)),
    "within_bidding_window": ("timing", "locked", ("place", "withdraw")),
    "cool_down": ("timing", "locked", ("place",)),
    "rate_limit": ("timing", "locked", ("place",)),
    "starting_price_ceiling": ("fairness", "locked", ("place",)),
    "minimum_decrement": ("fairness", "locked", ("place",)),
    "reserve_disclosed_as_starting": ("fairness", "locked", ("place",)),
    "unusual_drop": ("fairness", "locked", ("place",)),
    "implausible_drop": ("fairness", "locked", ("place",)),
    "bid_withdrawal_limit": ("fairness", "locked", ("withdraw",)),
}


def test_every_rule_of_the_spec_is_registered_with_its_category_and_phase():
    assert set(SPEC_RULES) <= set(REGISTRY)
    for rule_id, (category, phase, actions) in SPEC_RULES.items():
        registered = REGISTRY[rule_id]
        assert (registered.category, registered.phase, registered.actions) == (category, phase, actions), rule_id
        assert registered.name and registered.id == rule_id
    assert all(r.category in CATEGORIES and r.severity in SEVERITIES for r in REGISTRY.values())
    assert {r.id for r in REGISTRY.values() if r.severity != "block"} == {"unusual_drop"}


def test_rules_that_need_the_live_state_run_under_the_lock():
    # Anything reading best/count/deadline/own bids must be in the "locked" phase.
    for rule_id in ("within_bidding_window", "cool_down", "rate_limit", "minimum_decrement",
                    "starting_price_ceiling", "revision_allowed", "bid_withdrawal_limit", "bid_withdrawable"):
        assert REGISTRY[rule_id].phase == "locked", rule_id


def test_one_registration_adds_a_rule_that_runs_and_reports():
    @rule("test_no_round_numbers", name="No round numbers", category="fairness", severity="log", phase="locked",
          auction_types=("REVERSE_AUCTION",))
    def no_round_numbers(ctx):
        if ctx.draft.amount.value % 1000 == 0:
            return [Finding("Round number.", reason="pattern", metadata={"amount": str(ctx.draft.amount.value)}),
                    "Second finding."]

    try:
        violations = run_rules(context(amount="9000"), phase="locked")
        found = [v for v in violations if v.rule == "test_no_round_numbers"]
        assert [v.as_dict() for v in found] == [
            {"rule": "test_no_round_numbers", "category": "fairness", "severity": "log", "message": "Round number.",
             "reason": "pattern", "metadata": {"amount": "9000"}},
            {"rule": "test_no_round_numbers", "category": "fairness", "severity": "log",
             "message": "Second finding.", "reason": None, "metadata": {}}]
        assert not any(v.blocks for v in found)
        # Other types, phases and actions do not run it.
        sealed = context(auction(auction_type="SEALED_BID"), lines={1: "1", 2: "1"})
        assert not [v for v in run_rules(sealed, phase="locked") if v.rule == "test_no_round_numbers"]
        registered = REGISTRY["test_no_round_numbers"]
        assert registered.applies(action="place", auction_type="REVERSE_AUCTION", phase="locked")
        assert not registered.applies(action="place", auction_type="REVERSE_AUCTION", phase="pre")
        assert not registered.applies(action="withdraw", auction_type="REVERSE_AUCTION", phase="locked")
    finally:
        del REGISTRY["test_no_round_numbers"]


def test_a_rule_id_is_registered_once():
    with pytest.raises(ValueError, match="registered twice"):
        rule("amount_format", name="Again", category="format")(lambda ctx: None)


def test_an_unknown_category_or_severity_is_refused_at_registration():
    with pytest.raises(AssertionError):
        rule("test_bad", name="Bad", category="mood")
    with pytest.raises(AssertionError):
        rule("test_bad", name="Bad", category="format", severity="fatal")
    assert "test_bad" not in REGISTRY


def test_all_findings_of_a_phase_are_listed_in_registration_order():
    ctx = context(auction(status="paused", best="9000", settings={"rate_limit_bids_per_minute": 1}),
                  amount="10500.00", own_bids=[bid_at(5)])
    assert [v.rule for v in run_rules(ctx, phase="locked")] == [
        "starting_price_ceiling", "minimum_decrement", "within_bidding_window", "rate_limit"]


def test_withdrawals_run_only_the_withdrawal_rules():
    ctx = context(action="withdraw", bid=bid_at(5, pk=1), own_bids=[bid_at(5, pk=1)], invitation_status="ACCEPTED")
    ctx.supplier.kyc_status = "VERIFIED"
    ran = {v.rule for v in run_rules(ctx, phase="locked")}
    assert ran == set()  # open, latest bid, no withdrawals used: nothing to say
    applicable = {r.id for r in REGISTRY.values() if "withdraw" in r.actions}
    assert applicable == {"supplier_kyc_valid", "supplier_invited", "within_bidding_window", "bid_withdrawable",
                          "bid_withdrawal_limit", "bid_signature"}


def violation(rule_id, severity="block", retry_after=None):
    from auctions.rules import Violation

    return Violation(rule_id, REGISTRY[rule_id].category, severity, f"{rule_id} says no",
                     metadata={} if retry_after is None else {"retry_after": retry_after})


def test_a_refusal_is_a_422_listing_every_violation():
    error = BidRejected([violation("minimum_decrement"), violation("unusual_drop", "warn")])
    assert (error.status_code, error.code) == (422, "bid_rejected")
    assert [v["rule"] for v in error.violations] == ["minimum_decrement", "unusual_drop"]
    assert error.message == "minimum_decrement says no"  # warnings do not make the message


def test_only_rate_rules_make_a_429_with_the_longest_wait():
    error = BidRejected([violation("cool_down", retry_after=12), violation("rate_limit", retry_after=40),
                         violation("unusual_drop", "warn")])
    assert (error.status_code, error.code, error.retry_after) == (429, "rate_limited", 40)
    mixed = BidRejected([violation("rate_limit", retry_after=40), violation("minimum_decrement")])
    assert mixed.status_code == 422 and not hasattr(mixed, "retry_after")
