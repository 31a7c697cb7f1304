"""`quayside-bid auto`'s options: --floor (--step, --opening) for an auction bid on its total,
--line-floor LINE_ID=AMOUNT (--line-step, --line-opening) per line; mixing them, giving
neither, or a malformed pair is bad usage (exit 2) before anything is sent."""
from decimal import Decimal

import pytest

from quayside_client import AutoBidder, PerLineBidder
from quayside_client.autorun import AutoReport
from quayside_client.cli import build_parser, main
from quayside_client.commands import auto_bidder, describe_auto


def bidder(*argv):
    return auto_bidder(build_parser().parse_args(["auto", "42", *argv]))


def test_line_floors_steps_and_openings_make_a_per_line_bidder():
    made = bidder("--line-floor", "7=950.00", "--line-floor", "8=480", "--line-step", "7=20", "--line-opening", "8=499")
    assert isinstance(made, PerLineBidder) and made.lines == [7, 8]
    rice, flour = made.bidders[7], made.bidders[8]
    assert (rice.floor, rice.step, rice.opening) == (Decimal("950.00"), Decimal("20"), None)
    assert (flour.floor, flour.step, flour.opening) == (Decimal("480"), None, Decimal("499"))


def test_the_whole_auction_options_are_unchanged():
    made = bidder("--floor", "9000", "--step", "50", "--opening", "9900")
    assert isinstance(made, AutoBidder)
    assert (made.floor, made.step, made.opening) == (Decimal("9000"), Decimal("50"), Decimal("9900"))


@pytest.mark.parametrize("argv, words", [
    ([], "give --floor AMOUNT"),
    (["--line-step", "7=20"], "give --floor AMOUNT"),
    (["--floor", "9000", "--line-floor", "7=950"], "--floor (an auction bid on its total) and --line-floor"),
    (["--step", "50", "--line-floor", "7=950"], "--step (an auction bid on its total) and --line-floor"),
    (["--line-floor", "7:950"], "expected LINE_ID=AMOUNT"),
    (["--line-floor", "rice=950"], "expected LINE_ID=AMOUNT"),
    (["--line-floor", "7=cheap"], "expected LINE_ID=AMOUNT"),
    (["--line-floor", "7=950", "--line-floor", "7=940"], "--line-floor given twice for line 7"),
])
def test_bad_usage_is_refused_before_anything_is_sent(argv, words, capsys):
    with pytest.raises(SystemExit) as exit:
        main(["auto", "42", *argv])
    assert exit.value.code == 2 and words in capsys.readouterr().err


def test_the_summary_says_what_each_line_came_to():
    from quayside_client import Decision

    report = AutoReport(bids=[Decimal("970"), Decimal("960")], stopped="auction closed",
                        line_bids={7: [Decimal("970"), Decimal("960")]},
                        line_decisions={7: Decision("stop", "the auction is closed"),
                                        8: Decision("stop", "the auction is closed")})
    assert describe_auto(report) == ("stopped (auction closed): 2 bids placed, 0 rate limited, 0 refused; "
                                     "line 7: 2 bids, last decision: stop: the auction is closed; "
                                     "line 8: 0 bids, last decision: stop: the auction is closed")
