"""Verification of the audit trail: the one function the command, the admin and the API share.

Three checks per stream (product.md §6):
1. the hash chain (audit/chain.py): every link and hash holds, no seq is missing;
2. the signed checkpoints outside the database (anchors.py): the events still reproduce
   every sealed head, and the stream is not shorter than one;
3. for an RFQ's stream, its state rebuilt from the events alone against the tables (state.py).

`first_bad_seq` is the first broken link; when only a checkpoint disagrees it bounds the
rewrite to a range, and a state difference inside that range names the event itself.
"""
from __future__ import annotations

from collections.abc import Iterable

from audit.anchoring.store import checkpoint_store
from audit.chain import Problem, Verification, verify_events
from audit.models import AuditEvent, AuditStream, rfq_stream

from .anchors import anchor_check
from .state import rfq_exists, rfq_ids, state_problems


def rfq_known(rfq_id: int) -> bool:
    """Whether there is anything to verify for RFQ `rfq_id`: its row, its events or its checkpoints."""
    stream = rfq_stream(rfq_id)
    return (rfq_exists(rfq_id) or AuditStream.objects.filter(key=stream).exists()
            or AuditEvent.objects.filter(stream=stream).exists() or bool(checkpoint_store().seqs(stream)))


def describe(result: Verification) -> list[str]:
    """One line per problem, as the command prints them and the admin shows them."""
    return [f"{p.stream} seq {p.seq} [{p.kind}]: {p.detail}" for p in result.problems]

__all__ = ["Problem", "Verification", "audit_verify", "audit_verify_stream", "describe", "rfq_known"]


def _chain_problems(stream: str, events: list) -> tuple[int, list[Problem]]:
    result = verify_events(stream, events)
    if not result.ok:
        kind = "missing" if "missing" in result.problem else "chain"
        return result.checked, [Problem(result.first_bad_seq, kind, result.problem, stream)]
    head = AuditStream.objects.filter(key=stream).first()
    if head is not None and head.last_seq > result.checked:
        # The chain is whole but shorter than what was appended: its tail was removed.
        return result.checked, [Problem(result.checked + 1, "missing", (
            f"events after seq {result.checked} are missing (head is at {head.last_seq})"), stream)]
    return result.checked, []


def _first_bad(chain: list[Problem], anchored, state: list[Problem]) -> Problem | None:
    if chain:
        return chain[0]
    if anchored.problems:
        low, high = anchored.suspect or (0, 0)
        inside = [p for p in state if low < p.seq <= high]
        return min(inside or anchored.problems, key=lambda p: (p.seq, p.detail))
    return min(state, key=lambda p: (p.seq, p.detail), default=None)


def audit_verify_stream(stream: str) -> Verification:
    """All three checks of one stream; every problem found, the first one first."""
    events = list(AuditEvent.objects.filter(stream=stream).order_by("seq"))
    checked, chain = _chain_problems(stream, events)
    anchored = anchor_check(stream, {event.seq: event.hash for event in events})
    state = state_problems(int(stream.split(":")[1]), events, stream) if stream.startswith("rfq:") else []
    first = _first_bad(chain, anchored, state)
    if first is None:
        return Verification(True, checked, None, stream, checkpoint=anchored.latest)
    problems = sorted({*chain, *anchored.problems, *state}, key=lambda p: (p.seq, p.kind, p.detail))
    return Verification(False, checked, first.seq, stream, first.detail, tuple(problems), anchored.latest)


def every_stream() -> list[str]:
    """Every stream anything knows of: a stream whose events and head were deleted outright is
    still named by its checkpoints, or by its RFQ's row."""
    keys = set(AuditStream.objects.values_list("key", flat=True))
    keys |= set(AuditEvent.objects.values_list("stream", flat=True).distinct())
    keys |= set(checkpoint_store().streams()) | {rfq_stream(pk) for pk in rfq_ids()}
    return sorted(keys)


def audit_verify(*, rfq_id: int | None = None) -> Verification:
    """Verify one RFQ's stream, or every stream; the first broken stream (by key) leads, and
    `problems` lists every stream's."""
    if rfq_id is not None:
        result = audit_verify_stream(rfq_stream(rfq_id))
        return result if not result.ok else Verification(True, result.checked, None, None,
                                                         checkpoint=result.checkpoint)
    return verify_streams(every_stream())


def verify_streams(keys: Iterable[str]) -> Verification:
    """Verify each stream of `keys`; the first broken one (in the order given) leads, and
    `problems` lists every stream's."""
    checked, first, problems = 0, None, []
    for key in keys:
        result = audit_verify_stream(key)
        checked += result.checked
        problems += result.problems
        first = first or (None if result.ok else result)
    if first is None:
        return Verification(True, checked, None, None)
    return Verification(False, checked, first.first_bad_seq, first.stream, first.problem, tuple(problems))
