"""The hash chain: how an event's hash is computed, and how a chain is verified."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder

GENESIS_HASH = "0" * 64


def canonical_json(value: object) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)


def normalise_payload(payload: dict) -> dict:
    """What the JSON column will give back, so the stored and hashed payloads agree."""
    return json.loads(canonical_json(payload))


def event_hash(*, stream: str, seq: int, type: str, actor_id: int | None, actor_name: str,
               at: datetime, payload: dict, prev_hash: str) -> str:
    body = canonical_json({
        "stream": stream, "seq": seq, "type": type, "actor_id": actor_id, "actor_name": actor_name,
        "at": at.isoformat(timespec="microseconds"), "payload": payload, "prev_hash": prev_hash,
    })
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Problem:
    """One thing verification found wrong, at the `seq` it concerns.

    kind: "chain" (a link or hash does not hold), "missing" (events are gone),
    "checkpoint" (the events disagree with a signed checkpoint, or a checkpoint is not
    genuine), "state" (the tables disagree with the state rebuilt from the events)."""

    seq: int
    kind: str
    detail: str
    stream: str = ""

    def as_dict(self) -> dict:
        return {"seq": self.seq, "kind": self.kind, "detail": self.detail, "stream": self.stream}


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    first_bad_seq: int | None
    stream: str | None = None
    problem: str = ""
    problems: tuple[Problem, ...] = ()
    # The latest genuine checkpoint of the stream verified (one stream only), as stored.
    checkpoint: dict | None = None


def verify_events(stream: str, events, *, start_seq: int = 0, start_hash: str = GENESIS_HASH) -> Verification:
    """Walk one stream in seq order from `start_seq` (whose hash is `start_hash`; the genesis
    by default); report the first event whose link does not hold."""
    prev = start_hash
    checked = 0
    for expected_seq, event in enumerate(events, start=start_seq + 1):
        problem, bad_seq = "", event.seq
        if event.seq != expected_seq:
            # The first broken link is the missing event, as for a removed tail.
            problem, bad_seq = f"expected seq {expected_seq}, found {event.seq} (an event is missing)", expected_seq
        elif event.prev_hash != prev:
            problem = "prev_hash does not match the previous event's hash"
        elif event.hash != event_hash(stream=event.stream, seq=event.seq, type=event.type,
                                      actor_id=event.actor_id, actor_name=event.actor_name,
                                      at=event.at, payload=event.payload, prev_hash=event.prev_hash):
            problem = "the stored hash does not match the event's content"
        if problem:
            return Verification(False, checked, bad_seq, stream, problem)
        prev = event.hash
        checked += 1
    return Verification(True, checked, None, stream)
