"""`quayside-bid` as a new user runs it from the README: log in, see the invitation, accept
it, watch the auction, bid, be refused with the reasons, keep a signing key."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from suppliers.models import Invitation
from tests.client.conftest import placed
from tests.factories import published_rfq
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)

CLI = str(Path(sys.executable).parent / "quayside-bid")
REVERSE = {"type": "REVERSE_AUCTION", "settings": {"starting_price": "10000.00", "minimum_decrement": "100.00",
                                                    "rate_limit_bids_per_minute": 60}}


@pytest.fixture
def cli(tmp_path):
    """Runs quayside-bid with a config directory of its own; returns (exit code, stdout, stderr)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("QUAYSIDE_")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), QUAYSIDE_PASSWORD="quayside-demo")

    def run(*args: str, timeout: float = 30) -> tuple[int, str, str]:
        done = subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=timeout)
        return done.returncode, done.stdout, done.stderr

    run.env = env
    run.config = tmp_path / "config" / "quayside" / "config.json"
    return run


def test_login_invitations_watch_and_bid(demo, api, site, cli):
    rfq = published_rfq(demo, suppliers=(1, 2), accept=(2,), reserve_price={"enabled": False}, auction=REVERSE)
    invitation = Invitation.objects.get(rfq_id=rfq, supplier=demo.supplier(1))

    code, out, err = cli("login", site, "--username", "supplier1")
    assert code == 0, err
    assert "signed in as supplier1 (supplier" in out
    assert stat.S_IMODE(cli.config.stat().st_mode) == 0o600
    assert json.loads(cli.config.read_text())["token"]

    code, out, err = cli("invitations")
    assert code == 0, err
    assert f"invitation {invitation.pk}: SENT | RFQ {rfq} " in out
    code, out, err = cli("accept", str(invitation.pk))
    assert (code, out.strip()) == (0, f"invitation {invitation.pk}: ACCEPTED"), err

    placed(api, "supplier2", rfq, "9800.00")
    watching = watch(cli, rfq, seconds=2)
    wait_until(lambda: watching.lines, 15, "watch printed nothing")
    assert f"RFQ {rfq} open | rank - | leading 9800.00 USD | bids 1" in watching.lines[0]
    placed(api, "supplier2", rfq, "9700.00")  # while it watches
    watching.wait()
    assert watching.code == 0, watching.err
    assert any("bid_placed" in line for line in watching.lines), watching.lines
    assert f"RFQ {rfq} open | rank - | leading 9700.00 USD | bids 2" in "\n".join(watching.lines)

    code, out, err = cli("bid", str(rfq), "9600.00")
    assert code == 0, err
    assert out.startswith("accepted: bid ") and "of 9600.00" in out and "rank 1" in out and "bids 3" in out

    code, out, err = cli("bid", str(rfq), "9550.00")  # not 100 below the best
    assert code == 1 and out == ""
    assert err.startswith("refused (422 bid_rejected):")
    assert "  - minimum_decrement [fairness, block]:" in err

    code, out, err = cli("watch", str(rfq), "--once")
    assert code == 0, err
    assert f"RFQ {rfq} open | rank 1 | leading 9600.00 USD | bids 3" in out


def test_without_login_it_says_what_to_do(cli):
    code, out, err = cli("bid", "1", "100")
    assert code == 3 and "run `quayside-bid login SERVER` first" in err


def test_wrong_password_is_a_clear_refusal(demo, site, cli):
    cli.env["QUAYSIDE_PASSWORD"] = "wrong"
    code, out, err = cli("login", site, "--username", "supplier1")
    assert code == 1 and "400" in err and not cli.config.exists()


def test_keygen_writes_an_owner_only_key(cli, tmp_path):
    code, out, err = cli("keygen")
    assert code == 0, err
    key = tmp_path / "config" / "quayside" / "signing-key.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    public = out.split("public key: ")[1].split()[0]
    assert len(__import__("base64").b64decode(public)) == 32
    code, _, err = cli("keygen")
    assert code == 1 and "exists" in err  # never replaced by accident


def test_register_key_then_bids_are_signed(demo, api, site, cli):
    from auctions.models import Bid
    from audit.models import AuditEvent

    rfq = published_rfq(demo, suppliers=(1, 2), accept=(1,), reserve_price={"enabled": False},
                        auction={**REVERSE, "settings": {**REVERSE["settings"], "require_signed_bids": True}})
    assert cli("login", site, "--username", "supplier1")[0] == 0
    assert cli("keygen")[0] == 0
    code, out, err = cli("register-key", "--label", "test runner")
    assert code == 0, err
    key_id = json.loads(cli.config.read_text())["key_id"]
    assert key_id in out
    code, out, err = cli("bid", str(rfq), "9900.00")
    assert code == 0 and out.rstrip().endswith("signed"), (out, err)
    # The server verified it: the key is on the bid and in its audit event, with the signature.
    bid = Bid.objects.get(rfq_id=rfq)
    assert bid.signature_key_id == key_id
    signature = AuditEvent.objects.get(rfq_id=rfq, type="bid.placed").payload["signature"]
    assert signature["key_id"] == key_id and signature["signature"].startswith("sig1=:")


def test_sealed_split_and_bundle_quotes_from_the_command_line(demo, api, site, cli, tmp_path):
    from auctions.models import Bid
    from tests.engine.helpers import items
    from tests.engine.split_helpers import bundle_auction, close_and_evaluate, split_auction

    split, combo = split_auction(demo), bundle_auction(demo)
    rice, flour = items(split)
    assert cli("login", site, "--username", "supplier1")[0] == 0

    code, out, err = cli("quote", str(split), "--line", f"{rice}=17.25:30:10", "--line", f"{flour}=20.00",
                         "--terms", "FOB Rotterdam")
    assert code == 0, err
    assert out.startswith("accepted: bid ") and "(version 1)" in out
    # A revision from a file (api.md's JSON), with options added: version 2 stands.
    quote_file = tmp_path / "quote.json"
    quote_file.write_text(json.dumps({"line_items": [{"line_item_id": rice, "unit_price": "16.90",
                                                      "max_quantity": 40, "min_quantity": 20}]}))
    code, out, err = cli("quote", str(split), "--file", str(quote_file), "--line", f"{flour}=19.80",
                         "--terms", "CIF Singapore")
    assert code == 0 and "(version 2)" in out, err

    combo_items = items(combo)
    code, out, err = cli("quote", str(combo), "--bundle", ",".join(map(str, combo_items)) + "=75.31",
                         "--bundle", f"{combo_items[0]}=40.00")
    assert code == 0, err

    # Refused by the server with its reasons; refused before sending when malformed.
    code, out, err = cli("quote", str(split), "--line", "999999=1.00")
    assert code == 1 and out == "" and err.startswith("refused (4"), err
    code, out, err = cli("quote", str(split), "--line", f"{rice}=cheap")
    assert code == 1 and "is not an amount" in err
    assert Bid.objects.filter(rfq_id=split, supplier=demo.supplier(1)).count() == 2

    # What the opening finds is what the command line sent.
    close_and_evaluate(api, split)
    latest = Bid.objects.filter(rfq_id=split, supplier=demo.supplier(1)).order_by("-version").first()
    assert latest.terms == "CIF Singapore"
    assert sorted((line.line_item_id, str(line.unit_price), line.max_quantity, line.min_quantity)
                  for line in latest.lines.all()) == sorted([(rice, "16.9000", 40, 20), (flour, "19.8000", None, None)])
    close_and_evaluate(api, combo)
    bundles = Bid.objects.get(rfq_id=combo, supplier=demo.supplier(1)).bundles.order_by("index")
    assert [(b.line_item_ids, str(b.price)) for b in bundles] == [(combo_items, "75.3100"),
                                                                 ([combo_items[0]], "40.0000")]


def test_auto_bids_each_line_of_a_per_line_auction_down_to_its_floor(demo, api, site, cli):
    from decimal import Decimal

    from auctions.models import Bid
    from tests.client.conftest import close_now
    from tests.engine.helpers import items, reverse_auction
    from tests.lots.helpers import lot_bid, lots_auction

    rfq = lots_auction(demo, suppliers=(1, 2), accept=(1, 2))
    total = reverse_auction(demo, suppliers=(1, 2), accept=(1,))
    rice, flour = items(rfq)
    assert cli("login", site, "--username", "supplier1")[0] == 0

    # Options that do not fit the auction are refused before any bid, saying what to give instead.
    code, out, err = cli("auto", str(rfq), "--floor", "900")
    assert code == 2 and f"RFQ {rfq} is bid line by line" in err and "--line-floor LINE_ID=AMOUNT" in err, err
    assert f"Its lines: {rice} (Rice 25kg), {flour} (Flour 10kg)." in err
    code, out, err = cli("auto", str(rfq), "--line-floor", "999999=900")
    assert code == 2 and f"line 999999 is not a line of RFQ {rfq}" in err, err
    code, out, err = cli("auto", str(total), "--line-floor", f"{rice}=900")
    assert code == 2 and f"RFQ {total} takes no per-line bids" in err and "--floor AMOUNT" in err, err
    assert not Bid.objects.filter(rfq_id__in=(rfq, total)).exists()

    def own_bids():
        return list(Bid.objects.filter(rfq_id=rfq, supplier=demo.supplier(1)).order_by("submitted_at", "id")
                    .values_list("line_item_id", "amount"))

    # Rice only (flour has no floor): 20 below the leader on rice, never below 950.
    auto = background(cli, "auto", str(rfq), "--line-floor", f"{rice}=950", "--line-step", f"{rice}=20",
                      "--for", "60")
    output = lambda: "\n".join(auto.lines)  # noqa: E731
    wait_until(lambda: own_bids() == [(rice, Decimal("1000"))], 20, output)  # the line's ceiling: no bid yet
    assert lot_bid(api, "supplier2", rfq, rice, "990.00").status_code == 201
    wait_until(lambda: len(own_bids()) == 2, 20, output)
    assert own_bids()[1] == (rice, Decimal("970"))  # 990 - 20
    assert lot_bid(api, "supplier2", rfq, rice, "960.00").status_code == 201
    wait_until(lambda: "hold: floor reached" in output(), 20, output)  # 960 - 20 = 940 < 950
    assert lot_bid(api, "supplier2", rfq, flour, "490.00").status_code == 201
    close_now(api, rfq)
    auto.wait()
    assert auto.code == 0, (output(), auto.err)

    assert own_bids() == [(rice, Decimal("1000")), (rice, Decimal("970"))]
    assert f"line {rice}: bid 970.00: accepted, rank 1" in output()
    assert f"line {rice}: hold: floor reached: the next bid would be 940.00, below the floor 950" in output()
    assert f"line {flour}" not in output()
    assert auto.lines[-1].startswith("stopped (auction closed): 2 bids placed, 0 rate limited, 0 refused; "
                                     f"line {rice}: 2 bids, last decision: stop: "), auto.lines[-1]


class background:
    """`quayside-bid ARGS` in the background, its lines read as they come."""

    def __init__(self, cli, *args: str):
        self.process = subprocess.Popen([CLI, *args], env=cli.env, text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait(self) -> None:
        self.code = self.process.wait(timeout=30)
        self.reader.join(timeout=5)
        self.err = self.process.stderr.read()


def watch(cli, rfq: int, *, seconds: float) -> background:
    """`quayside-bid watch RFQ --for SECONDS` in the background."""
    return background(cli, "watch", str(rfq), "--for", str(seconds))
