"""`quayside-bid`: bidding from a terminal or a script.

    quayside-bid login https://quayside.example --username supplier1   (password: prompt or $QUAYSIDE_PASSWORD)
    quayside-bid invitations | accept INVITATION
    quayside-bid watch RFQ [--for SECONDS | --once]
    quayside-bid bid RFQ AMOUNT
    quayside-bid keygen; quayside-bid register-key
    quayside-bid auto RFQ --floor 9000 [--step 50]
    quayside-bid auto RFQ --line-floor 7=950 --line-floor 8=480 [--line-step 7=20]   (per-line auctions)

Exit status: 0 done, 1 the server refused (the reasons are printed), 2 bad usage,
3 not signed in or the server unreachable.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from . import commands
from .autobid import WrongBidder
from .errors import ApiError, BidRejected, ConnectionFailed, NotAuthenticated, QuaysideError, RateLimited
from .money import money_string


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quayside-bid", description="Bid in Quayside e-auctions from a terminal.")
    parser.add_argument("--url", help="the server (default: the one you logged in to; or $QUAYSIDE_URL)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    login = sub.add_parser("login", help="sign in and keep the token (in ~/.config/quayside/, mode 0600)")
    login.add_argument("server", help="the server's address, e.g. https://quayside.example")
    login.add_argument("--username", help="prompted for when not given")

    invitations = sub.add_parser("invitations", help="your invitations")
    invitations.add_argument("--status", choices=["SENT", "ACCEPTED", "DECLINED"])
    accept = sub.add_parser("accept", help="accept an invitation (then you may bid)")
    accept.add_argument("invitation", type=int)

    state = sub.add_parser("state", help="an RFQ's live state as JSON")
    state.add_argument("rfq", type=int)

    watch = sub.add_parser("watch", help="follow an auction live")
    watch.add_argument("rfq", type=int)
    watch.add_argument("--once", action="store_true", help="show the state once and exit")
    watch.add_argument("--for", dest="seconds", type=float, help="stop after this many seconds")
    watch.add_argument("--plain", action="store_true", help="plain text lines even if rich is installed")

    add_bidding_commands(sub)

    keygen = sub.add_parser("keygen", help="create an Ed25519 signing key (PEM file, mode 0600)")
    keygen.add_argument("--out", help="where to write it (default ~/.config/quayside/signing-key.pem)")
    keygen.add_argument("--force", action="store_true", help="replace an existing key file")
    register = sub.add_parser("register-key", help="register the public key; later bids are signed with it")
    register.add_argument("--key", help="the private key file (default: the one keygen wrote)")
    register.add_argument("--label", default="", help="a name for the key, e.g. the machine it lives on")
    sub.add_parser("keys", help="your registered keys")
    revoke = sub.add_parser("revoke-key", help="revoke a registered key (by its id)")
    revoke.add_argument("id", type=int)

    add_auto_command(sub)
    return parser


def add_auto_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """auto: --floor (and --step, --opening) for an auction bid on its total; --line-floor
    (and --line-step, --line-opening) per line, for an auction bid line by line."""
    auto = sub.add_parser("auto", help="bid the minimum step below the leader, down to a floor",
                          description="An auction bid on its total takes --floor; one bid line by line "
                                      "(bidding_basis PER_LINE) takes --line-floor for each line to bid on.")
    auto.add_argument("rfq", type=int)
    auto.add_argument("--floor", help="never bid below this amount")
    auto.add_argument("--step", help="bid at least this much below the leading bid")
    auto.add_argument("--opening", help="the first bid when there is no bid and no starting price")
    for name, what in (("floor", "never bid below AMOUNT on that line (lines without one are not bid on)"),
                       ("step", "bid at least AMOUNT below that line's leading bid"),
                       ("opening", "the first bid on that line when it has no bid and no starting price")):
        auto.add_argument(f"--line-{name}", dest=f"line_{name}s", action="append", type=line_amount, default=[],
                          metavar="LINE_ID=AMOUNT", help=f"per-line auctions, repeatable: {what}")
    auto.add_argument("--for", dest="seconds", type=float, help="stop after this many seconds")


def line_amount(text: str) -> tuple[int, str]:
    """`LINE_ID=AMOUNT` (a line item id and a decimal amount, e.g. 7=950.00)."""
    line, sep, amount = text.partition("=")
    try:
        if not sep:
            raise ValueError
        return int(line.strip()), money_string(amount.strip())
    except (ValueError, TypeError):
        raise argparse.ArgumentTypeError(f"{text!r}: expected LINE_ID=AMOUNT, e.g. 7=950.00") from None


def check_auto(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """One floor for the total, or floors per line: never both, never neither."""
    whole = [f"--{name}" for name in ("floor", "step", "opening") if getattr(args, name) is not None]
    lines = [f"--line-{name}" for name in ("floor", "step", "opening") if getattr(args, f"line_{name}s")]
    if whole and lines:
        parser.error(f"auto: {', '.join(whole)} (an auction bid on its total) and {', '.join(lines)} "
                     "(an auction bid line by line) do not go together")
    if not args.floor and not args.line_floors:
        parser.error("auto: give --floor AMOUNT (an auction bid on its total) or --line-floor LINE_ID=AMOUNT "
                     "for each line to bid on (an auction bid line by line)")
    for name in ("floors", "steps", "openings"):
        ids = [line for line, _ in getattr(args, f"line_{name}")]
        twice = sorted({line for line in ids if ids.count(line) > 1})
        if twice:
            parser.error(f"auto: --line-{name[:-1]} given twice for line {', '.join(map(str, twice))}")


def add_bidding_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """bid, quote and withdraw."""
    bid = sub.add_parser("bid", help="place a reverse-auction bid")
    bid.add_argument("rfq", type=int)
    bid.add_argument("amount", help="a decimal amount, e.g. 9500.00")
    bid.add_argument("--line", type=int, help="the line item, where each line is bid on its own")
    quote = sub.add_parser("quote", help="submit a sealed, multi-attribute or bundle quote (a revision replaces the last)",
                           description="Prices from --line/--bundle options or api.md's JSON in --file; "
                                       "the options add to the file.")
    quote.add_argument("rfq", type=int)
    quote.add_argument("--line", action="append", metavar="ID=PRICE[:MAX[:MIN]]",
                       help="a line's unit price (split awards: the quantity offered and the least supplied)")
    quote.add_argument("--bundle", action="append", metavar="ID,ID=PRICE",
                       help="all-or-nothing price for those lines' whole quantities (bundle auctions)")
    quote.add_argument("--criterion", action="append", metavar="NAME=VALUE",
                       help="a multi-attribute criterion, e.g. delivery_days=14 or class_certified=true")
    quote.add_argument("--file", help="the quote as JSON (- for standard input)")
    quote.add_argument("--valid-until", help="the quote's validity, e.g. 2027-01-31T12:00:00Z")
    quote.add_argument("--terms", help="terms and conditions (text)")
    withdraw = sub.add_parser("withdraw", help="withdraw your latest bid")
    withdraw.add_argument("rfq", type=int)
    withdraw.add_argument("bid", type=int)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "auto":
        check_auto(parser, args)
    try:
        return asyncio.run(commands.run(args))
    except KeyboardInterrupt:
        return 130
    except WrongBidder as exc:  # the auto-bidder's options do not fit the auction: bad usage
        print(f"quayside-bid: {exc}", file=sys.stderr)
        return 2
    except commands.NotSignedIn as exc:
        print(f"quayside-bid: {exc}", file=sys.stderr)
        return 3
    except NotAuthenticated as exc:
        print(f"quayside-bid: the server refused the token ({exc.message}); run `quayside-bid login` again.",
              file=sys.stderr)
        return 3
    except ConnectionFailed as exc:
        print(f"quayside-bid: cannot reach the server: {exc}", file=sys.stderr)
        return 3
    except ApiError as exc:
        print(describe_refusal(exc), file=sys.stderr)
        return 1
    except (QuaysideError, OSError, ValueError, TypeError) as exc:
        print(f"quayside-bid: {exc}", file=sys.stderr)
        return 1


def describe_refusal(error: ApiError) -> str:
    """The server's no, with every reason it gave."""
    if isinstance(error, RateLimited):
        head = f"rate limited: try again in {error.retry_after:g} s" if error.retry_after is not None else \
            "rate limited"
    elif isinstance(error, BidRejected):
        head = "refused"
    else:
        head = "error"
    lines = [f"{head} ({error.status} {error.code}): {error.message}"]
    lines += [f"  - {v.rule} [{v.category}, {v.severity}]: {v.message}" for v in error.violations]
    lines += [f"  - {name}: {'; '.join(messages)}" for name, messages in error.fields.items()]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
