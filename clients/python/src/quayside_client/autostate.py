"""What the auto-bidder knows of the auction between two `/state/` reads: the first `state`,
then each event's own figures (leading bid, count, deadline, status, the private rank) and
its own bid's answer (autorun.py feeds them in). In a per-line auction (api.md "Lots") the
figures of each line are kept in the state's `lines`, from the events' `lines` entries.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .money import parse_money
from .sequencer import Event

# Figures an event carries that mean the same as the state's field of that name.
CARRIED = ("leading_bid", "bid_count", "bidding_deadline", "status", "mode", "your_rank")
# The same for an entry of `lines` (api.md: `lines: [{line_item_id, leading_bid?, your_rank?, bid_count?}]`).
LINE_CARRIED = ("leading_bid", "bid_count", "your_rank")


def apply_event(state: dict[str, Any], event: Event) -> dict[str, Any]:
    """What the supplier knows after `event`, from the event's own payload (no request).

    A new leading bid drops `minimum_next_bid` (the auto-bidder then steps down from the
    leading bid by the settings' decrement) and, when it undercuts the own best, the rank
    (a `rank_changed` may follow with the exact one; until then the amounts decide). The
    same holds line by line for the entries of `lines`."""
    if event.type == "state":
        return dict(event.data)
    data = event.data
    line_id = data.get("line_item_id")
    # A rank_changed of a per-line auction names its line: the rank is that line's, not the auction's.
    keys = CARRIED if line_id is None else tuple(key for key in CARRIED if key != "your_rank")
    new = merge_figures(state, data, keys)
    if "extension_number" in data:
        new["extensions"] = data["extension_number"]
    entries = [entry for entry in data.get("lines") or [] if isinstance(entry, dict)]
    if line_id is not None and "your_rank" in data:
        entries.append({"line_item_id": line_id, "your_rank": data["your_rank"]})
    if entries:
        new["lines"] = merge_lines(state.get("lines") or [], entries)
    if isinstance(data.get("seq"), int) and not event.private:
        new["seq"] = data["seq"]
    return new


def rank_is_stale(event: Event, bid_at: Mapping[int | None, int]) -> bool:
    """Whether `event` is a private rank_changed that an own bid has overtaken: it repeats the
    seq of the public event it belongs to, and arrives after that event — after the bid the
    bidder placed on seeing it, when `bid_at` (line, None for the whole auction → the seq of
    the state that bid was decided on) has that seq or a later one. The bid's answer told
    the rank since; applying the older one would make the bidder undercut itself."""
    if event.type != "rank_changed" or not event.private or event.seq is None:
        return False
    line_id = event.data.get("line_item_id")
    entries = [entry for entry in event.data.get("lines") or [] if isinstance(entry, dict)]
    if line_id is None and entries:
        line_id = entries[0].get("line_item_id")
    seen = bid_at.get(line_id)
    return seen is not None and event.seq <= seen


def merge_figures(before: dict[str, Any], figures: dict[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """`before` (the state, or one of its lines) with the `keys` that `figures` carries."""
    new = dict(before)
    for key in keys:
        if key in figures:
            new[key] = figures[key]
    if "leading_bid" in figures and figures["leading_bid"] != before.get("leading_bid"):
        new.pop("minimum_next_bid", None)
        leading, own = parse_money(figures["leading_bid"]), parse_money(before.get("your_best"))
        if "your_rank" not in figures and leading is not None and own is not None and leading < own:
            new.pop("your_rank", None)
    return new


def merge_lines(lines: list[dict[str, Any]], entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The state's `lines` with each entry's figures applied to the line it names (a line the
    state did not show yet is added)."""
    by_id = {line.get("line_item_id"): dict(line) for line in lines}
    for entry in entries:
        line_id = entry.get("line_item_id")
        if isinstance(line_id, int):
            by_id[line_id] = merge_figures(by_id.get(line_id) or {"line_item_id": line_id}, entry, LINE_CARRIED)
    return list(by_id.values())


def after_own_bid(state: dict[str, Any], answer: dict[str, Any], line_id: int | None = None) -> dict[str, Any]:
    """The state after the own bid was accepted, from its answer: the own best, the rank and
    the leading bid where the settings disclose them — those of line `line_id` for a bid on a
    line (the answer's `rank` is then the rank on that line, its leading bid in `lines`)."""
    if line_id is None:
        return own_figures(state, answer, answer)
    entry: dict[str, Any] = next((line for line in answer.get("lines") or [] if line.get("line_item_id") == line_id),
                                 {})
    lines = list(state.get("lines") or [])
    if not any(line.get("line_item_id") == line_id for line in lines):
        lines.append({"line_item_id": line_id})
    return {**state, "lines": [own_figures(line, answer, entry) if line.get("line_item_id") == line_id else line
                               for line in lines]}


def own_figures(before: dict[str, Any], answer: dict[str, Any], leading_from: dict[str, Any]) -> dict[str, Any]:
    new = {**before, "your_best": answer["amount"]}
    new.pop("minimum_next_bid", None)
    new.pop("your_rank", None)
    if "rank" in answer:
        new["your_rank"] = answer["rank"]
    if "leading_bid" in leading_from:
        new["leading_bid"] = leading_from["leading_bid"]
    return new
