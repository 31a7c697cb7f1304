"""What each `quayside-bid` command does (cli.py parses the command line)."""
from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from . import config
from .autobid import AutoBidder, PerLineBidder
from .autorun import AutoReport, AutoRunner
from .client import AsyncQuaysideClient
from .errors import QuaysideError
from .quote import quote_body
from .sequencer import Event
from .signing import RequestSigner, fingerprint, generate_key, load_private_key, public_key_base64, save_private_key
from .view import AuctionView


class NotSignedIn(QuaysideError):
    pass


def client_for(args: argparse.Namespace) -> AsyncQuaysideClient:
    """A client for the saved profile ($QUAYSIDE_URL and $QUAYSIDE_TOKEN win over it)."""
    profile = config.load()
    url = args.url or os.environ.get("QUAYSIDE_URL") or (profile.url if profile else "")
    token = os.environ.get("QUAYSIDE_TOKEN") or (profile.token if profile else "")
    if not url or not token:
        raise NotSignedIn("not signed in: run `quayside-bid login SERVER` first")
    signer = None
    if profile is not None and profile.signs:
        signer = RequestSigner.from_file(Path(profile.key_path), profile.key_id)
    return AsyncQuaysideClient(url, token=token, signer=signer)


def say(line: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {line}", flush=True)


async def login(args: argparse.Namespace) -> int:
    username = args.username or input("Username: ").strip()
    password = os.environ.get("QUAYSIDE_PASSWORD") or getpass.getpass(f"Password for {username}: ")
    server = args.server.rstrip("/")
    async with AsyncQuaysideClient(server) as client:
        answer = await client.login(username, password)
    before = config.load()
    keep = before is not None and before.url == server and before.username == username
    path = config.save(config.Profile(url=server, token=answer["token"], username=username,
                                      key_path=before.key_path if keep and before else "",
                                      key_id=before.key_id if keep and before else ""))
    user = answer.get("user") or {}
    organization = (user.get("organization") or {}).get("name") or "-"
    print(f"signed in as {user.get('username', username)} ({user.get('role', '?')}, {organization}); "
          f"token saved in {path}")
    return 0


async def invitations(args: argparse.Namespace) -> int:
    async with client_for(args) as client:
        rows = await client.invitations(status=args.status)
    if not rows:
        print("no invitations")
    for row in rows:
        rfq = row.get("rfq") or {}
        print(f"invitation {row['id']}: {row.get('status')} | RFQ {rfq.get('id')} {rfq.get('reference', '')} "
              f"\"{rfq.get('title', '')}\" | {rfq.get('status', '')} | deadline {rfq.get('bidding_deadline', '-')}")
    return 0


async def accept(args: argparse.Namespace) -> int:
    async with client_for(args) as client:
        row = await client.accept_invitation(args.invitation)
    print(f"invitation {row['id']}: {row.get('status')}")
    return 0


async def state(args: argparse.Namespace) -> int:
    import json

    async with client_for(args) as client:
        print(json.dumps(await client.state(args.rfq), indent=2))
    return 0


async def watch(args: argparse.Namespace) -> int:
    async with client_for(args) as client:
        view = AuctionView(args.rfq, client.clock)
        if args.once:
            view.apply(Event("state", await client.state(args.rfq)))
            print(view.line())
            return 0
        show = _rich_watch if _wants_rich(args) else _plain_watch
        try:
            async with asyncio.timeout(args.seconds):
                await show(client, view)
        except TimeoutError:
            pass
        print(f"watched until {view.time_left()}: {view.line()}", flush=True)
    return 0


def _wants_rich(args: argparse.Namespace) -> bool:
    if args.plain or not sys.stdout.isatty():
        return False
    try:
        import rich  # noqa: F401
    except ImportError:
        return False
    return True


async def _plain_watch(client: AsyncQuaysideClient, view: AuctionView) -> None:
    shown: tuple[Any, ...] | None = None
    async for event in client.follow(view.rfq_id, stop_at_close=True):
        view.apply(event)
        if event.type != "state":
            print(f"{time.strftime('%H:%M:%S')} {event.type} (seq {event.seq})", flush=True)
        if view.key() != shown:
            shown = view.key()
            print(view.line(), flush=True)


async def _rich_watch(client: AsyncQuaysideClient, view: AuctionView) -> None:
    from rich.live import Live
    from rich.table import Table

    def table() -> Table:
        grid = Table(title=f"Quayside RFQ {view.rfq_id}", show_header=False)
        for name, value in view.rows():
            grid.add_row(name, value)
        grid.caption = f"last event: {view.last_event or '-'} (seq {view.seq})"
        return grid

    async def follow() -> None:
        async for event in client.follow(view.rfq_id, stop_at_close=True):
            view.apply(event)

    task = asyncio.ensure_future(follow())
    try:
        with Live(table(), refresh_per_second=4) as live:
            while not task.done():
                live.update(table())
                await asyncio.sleep(0.25)
            live.update(table())
        print()
        task.result()
    finally:
        task.cancel()


async def bid(args: argparse.Namespace) -> int:
    async with client_for(args) as client:
        answer = await client.place_bid(args.rfq, args.amount, line_item_id=args.line)
        signed = client.signer is not None
    print(describe_bid(answer, signed=signed))
    return 0


def describe_bid(answer: dict[str, Any], *, signed: bool = False) -> str:
    parts = [f"accepted: bid {answer.get('id')} of {answer.get('amount')} (version {answer.get('version')})"]
    for name, label in (("rank", "rank"), ("leading_bid", "leading"), ("bid_count", "bids")):
        if answer.get(name) is not None:
            parts.append(f"{label} {answer[name]}")
    lines = [", ".join(parts) + (", signed" if signed else "")]
    lines += [f"  warning: {w.get('rule')}: {w.get('message')}" for w in answer.get("warnings") or []]
    return "\n".join(lines)


async def quote(args: argparse.Namespace) -> int:
    body = quote_body(lines=args.line, bundles=args.bundle, criteria=args.criterion, file=args.file,
                      valid_until=args.valid_until, terms=args.terms, stdin=sys.stdin)
    async with client_for(args) as client:
        answer = await client.submit_bid(args.rfq, body)
        signed = client.signer is not None
    print(describe_bid(answer, signed=signed))
    return 0


async def withdraw(args: argparse.Namespace) -> int:
    async with client_for(args) as client:
        row = await client.withdraw_bid(args.rfq, args.bid)
    print(f"bid {row.get('id')}: {row.get('status')}")
    return 0


async def keygen(args: argparse.Namespace) -> int:
    path = Path(args.out).expanduser() if args.out else config.default_key_path()
    if path.exists() and not args.force:
        raise QuaysideError(f"{path} exists; --force replaces it (a registered key is then lost)")
    key = generate_key()
    save_private_key(key, path, overwrite=args.force)
    print(f"wrote {path} (Ed25519 private key, PEM PKCS#8, mode 0600)")
    print(f"public key: {public_key_base64(key)}")
    print(f"fingerprint: {fingerprint(key)}")
    print("next: quayside-bid register-key" + (f" --key {path}" if args.out else ""))
    return 0


async def register_key(args: argparse.Namespace) -> int:
    profile = config.load()
    if profile is None:
        raise NotSignedIn("not signed in: run `quayside-bid login SERVER` first")
    path = Path(args.key).expanduser() if args.key else config.default_key_path()
    key = load_private_key(path)
    async with client_for(args) as client:
        answer = await client.register_key(public_key_base64(key), args.label)
    profile.key_path, profile.key_id = str(path.resolve()), str(answer["key_id"])
    config.save(profile)
    print(f"registered key {answer.get('id')}: keyid {answer['key_id']}, fingerprint {answer.get('fingerprint')}")
    print("bids from this profile are now signed with it")
    return 0


async def keys(args: argparse.Namespace) -> int:
    async with client_for(args) as client:
        rows = await client.keys()
    for row in rows:
        print(f"{row.get('id')}: keyid {row.get('key_id')} {row.get('fingerprint', '')} "
              f"{row.get('label', '')} created {row.get('created_at', '')}"
              + (f" revoked {row['revoked_at']}" if row.get("revoked_at") else ""))
    if not rows:
        print("no keys registered")
    return 0


async def revoke_key(args: argparse.Namespace) -> int:
    profile = config.load()
    async with client_for(args) as client:
        listed = {row.get("id"): row for row in await client.keys()}
        await client.revoke_key(args.id)
    revoked = listed.get(args.id) or {}
    if profile is not None and profile.key_id and revoked.get("key_id") == profile.key_id:
        profile.key_id = ""
        config.save(profile)
        print("that was this profile's signing key: bids are unsigned from now on")
    print(f"revoked key {args.id}")
    return 0


async def auto(args: argparse.Namespace) -> int:
    async with client_for(args) as client:
        report = await AutoRunner(client, args.rfq, auto_bidder(args), say=say).run(seconds=args.seconds)
    print(describe_auto(report))
    return 0


def auto_bidder(args: argparse.Namespace) -> AutoBidder | PerLineBidder:
    """Per line with --line-floor (cli.check_auto has refused mixing it with --floor), else one floor."""
    if args.line_floors:
        return PerLineBidder(dict(args.line_floors), dict(args.line_steps), dict(args.line_openings))
    return AutoBidder(args.floor, args.step, args.opening)


def describe_auto(report: AutoReport) -> str:
    head = (f"stopped ({report.stopped}): {len(report.bids)} bids placed, {report.rate_limited} rate limited, "
            f"{report.refused} refused")
    if report.line_decisions:  # per line: what each line came to
        return head + "".join(f"; line {line}: {len(report.line_bids.get(line, []))} bids, last decision: "
                              f"{last.action}: {last.reason}" for line, last in report.line_decisions.items())
    last = report.decision
    return head + (f"; last decision: {last.action}: {last.reason}" if last else "")


COMMANDS: dict[str, Callable[[argparse.Namespace], Awaitable[int]]] = {
    "login": login, "invitations": invitations, "accept": accept, "state": state, "watch": watch, "bid": bid,
    "quote": quote, "withdraw": withdraw, "keygen": keygen, "register-key": register_key, "keys": keys, "revoke-key": revoke_key,
    "auto": auto,
}


async def run(args: argparse.Namespace) -> int:
    return await COMMANDS[args.command](args)
