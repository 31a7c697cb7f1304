"""`quayside-bid`: bidding from a terminal or a script.

    quayside-bid login https://quayside.example --username supplier1   (password: prompt or $QUAYSIDE_PASSWORD)
    quayside-bid invitations | accept INVITATION
    quayside-bid watch RFQ [--for SECONDS | --once]
    quayside-bid bid RFQ AMOUNT
    quayside-bid keygen; quayside-bid register-key
    quayside-bid auto RFQ --floor 9000 [--step 50]

Exit status: 0 done, 1 the server refused (the reasons are printed), 2 bad usage,
3 not signed in or the server unreachable.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from . import commands
from .errors import ApiError, BidRejected, ConnectionFailed, NotAuthenticated, QuaysideError, RateLimited


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

    auto = sub.add_parser("auto", help="bid the minimum step below the leader, down to a floor")
    auto.add_argument("rfq", type=int)
    auto.add_argument("--floor", required=True, help="never bid below this amount")
    auto.add_argument("--step", help="bid at least this much below the leading bid")
    auto.add_argument("--opening", help="the first bid when there is no bid and no starting price")
    auto.add_argument("--for", dest="seconds", type=float, help="stop after this many seconds")
    return parser


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
    args = build_parser().parse_args(argv)
    try:
        return asyncio.run(commands.run(args))
    except KeyboardInterrupt:
        return 130
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
