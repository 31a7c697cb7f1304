"""Check 2: a stream's stored events against its signed checkpoints in the anchor store.

A checkpoint says "on <at>, event <seq> of this stream had hash <head_hash>". Events that
no longer reproduce it were rewritten, however consistently their hashes were recomputed;
a stream that ends before it lost its tail. Only the first disagreement is reported: every
later checkpoint repeats it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from audit.anchoring import documents
from audit.anchoring.selectors import checkpoints_of
from audit.chain import Problem


@dataclass
class AnchorCheck:
    problems: list[Problem] = field(default_factory=list)
    latest: dict | None = None  # the latest genuine checkpoint
    # Where the first disagreement lies: after seq `low`, up to seq `high`.
    suspect: tuple[int, int] | None = None


def _doubt(document: dict | None, stream: str, seq: int) -> str | None:
    if document is None:
        return "is not a readable checkpoint"
    if (document["stream"], document["seq"]) != (stream, seq):
        return f"is filed under the wrong place (it names {document['stream']} at seq {document['seq']})"
    return documents.signature_problem(document)


def anchor_check(stream: str, hashes: dict[int, str]) -> AnchorCheck:
    """`hashes`: the stored hash of each event of the stream, by seq."""
    check, matched, last = AnchorCheck(), 0, max(hashes, default=0)
    for seq, document in checkpoints_of(stream):
        doubt = _doubt(document, stream, seq)
        if doubt:
            check.problems.append(Problem(seq, "checkpoint", f"the checkpoint filed at seq {seq} {doubt}", stream))
            continue
        check.latest = document
        if check.suspect is not None:
            continue
        if seq > last:
            check.suspect = (last, seq)
            check.problems.append(Problem(last + 1, "checkpoint", (
                f"the stream ends at seq {last}, but it was sealed at seq {seq} on {document['at']}: "
                f"events {last + 1} to {seq} are missing"), stream))
        elif hashes.get(seq) != document["head_hash"]:
            check.suspect = (matched, seq)
            check.problems.append(Problem(seq, "checkpoint", (
                f"the events up to seq {seq} do not reproduce the head hash sealed on {document['at']} "
                f"({document['head_hash'][:12]}…): an event from seq {matched + 1} to {seq} was rewritten"), stream))
        else:
            matched = seq
    return check
