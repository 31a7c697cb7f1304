"""product.md §6 "Anchoring": stream heads are sealed with an Ed25519 key the database does not
hold, every minute while events arrive and at every close, into a store outside the database;
the verifier checks against those checkpoints and rebuilds each auction from its events."""
import base64
import json
import os
from datetime import timedelta
from io import StringIO

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings as django_settings
from django.core.management import call_command

from auctions.models import Bid
from audit.anchoring import keys
from audit.anchoring.services import checkpoint_seal
from audit.chain import canonical_json
from audit.models import AuditEvent, Checkpoint, rfq_stream
from common.scheduler import InProcessBeat
from rfqs.models import RFQ
from tests.engine.helpers import bid, created, items, quote, reverse_auction, sealed_auction, withdraw
from tests.fairness.helpers import close_and_evaluate, eventful_auction, ok

VERIFY = "/api/v1/audit/verify/"


def head_of(rfq_id):
    return AuditEvent.objects.filter(stream=rfq_stream(rfq_id)).order_by("-seq").first()


def anchor_dir():
    return django_settings.MEDIA_ROOT / "audit-anchors"  # the default: beside the private media


def verify(api, rfq_id):
    return ok(api("compliance").get(f"{VERIFY}?rfq={rfq_id}"))


@pytest.fixture
def auction(api, demo):
    rfq = reverse_auction(demo)
    created(bid(api, "supplier1", rfq, "9500.00"))
    return rfq


def test_a_checkpoint_is_a_signed_file_outside_the_database(auction):
    head = head_of(auction)
    document = checkpoint_seal(stream=rfq_stream(auction))
    path = anchor_dir() / f"rfq-{auction}" / f"{head.seq:012d}.json"
    assert json.loads(path.read_bytes()) == document
    assert (document["seq"], document["head_hash"]) == (head.seq, head.hash)
    # Anyone can check it with the public key alone (here: straight from `cryptography`).
    public = base64.b64decode(document["public_key"])
    signed = canonical_json({k: v for k, v in document.items() if k != "signature"}).encode()
    Ed25519PublicKey.from_public_bytes(public).verify(base64.b64decode(document["signature"]), signed)
    assert document["key_fingerprint"] == keys.fingerprint(public)
    mirror = Checkpoint.objects.get(stream=rfq_stream(auction))
    assert (mirror.seq, mirror.head_hash) == (head.seq, head.hash)
    assert checkpoint_seal(stream=rfq_stream(auction)) == document  # nothing new: nothing written
    assert len(os.listdir(path.parent)) == 1


def test_the_beat_seals_every_stream_that_moved_and_runs_embedded(api, auction):
    entry = django_settings.CELERY_BEAT_SCHEDULE["seal-audit-checkpoints"]
    assert entry["task"] == "audit.anchoring.tasks.seal_audit_checkpoints" and entry["schedule"] <= 60
    # The embedded default's scheduler runs the same schedule in-process.
    assert "seal-audit-checkpoints" in InProcessBeat().entries
    beat = InProcessBeat({"seal": entry})
    assert beat.run_due() == ["seal"]
    streams = set(AuditEvent.objects.values_list("stream", flat=True))
    assert set(Checkpoint.objects.values_list("stream", flat=True)) == streams
    sealed = Checkpoint.objects.count()
    beat.last_run["seal"] -= timedelta(seconds=entry["schedule"])
    assert beat.run_due() == ["seal"]
    assert Checkpoint.objects.count() == sealed  # no new event, no new checkpoint
    created(bid(api, "supplier2", auction, "9300.00"))
    from audit.anchoring.tasks import seal_audit_checkpoints

    assert seal_audit_checkpoints.apply().get() == 1  # only the stream that moved
    assert Checkpoint.objects.filter(stream=rfq_stream(auction)).latest().seq == head_of(auction).seq


def test_a_close_seals_the_auction_once_it_commits(api, auction, django_capture_on_commit_callbacks, monkeypatch):
    from audit.anchoring import tasks

    sent = []  # the job, run as a worker would run it (with a broker, nothing else runs it here)
    monkeypatch.setattr(tasks.seal_audit_checkpoint, "delay",
                        lambda stream: sent.append(tasks.seal_audit_checkpoint.apply(args=[stream]).get()))
    with django_capture_on_commit_callbacks(execute=True):
        close_and_evaluate(api, auction)
    assert len(sent) == 1  # the close; the evaluation that follows is no close
    closed = AuditEvent.objects.get(stream=rfq_stream(auction), type="auction.ranked")
    assert Checkpoint.objects.filter(stream=rfq_stream(auction), seq__gte=closed.seq).exists()


def test_the_signing_key_is_never_in_the_database(api, auction, settings):
    settings.AUDIT_SIGNING_KEY = ""  # the embedded default's key, derived from SECRET_KEY
    checkpoint_seal(stream=rfq_stream(auction))
    derived = keys.signing_key().private_bytes_raw()
    seed = Ed25519PrivateKey.generate().private_bytes_raw()
    settings.AUDIT_SIGNING_KEY = base64.b64encode(seed).decode()
    created(bid(api, "supplier2", auction, "9300.00"))
    checkpoint_seal(stream=rfq_stream(auction))
    assert Checkpoint.objects.filter(stream=rfq_stream(auction)).count() == 2
    dump = StringIO()
    call_command("dumpdata", stdout=dump)
    for secret in (derived, seed):
        for form in (base64.b64encode(secret).decode(), base64.urlsafe_b64encode(secret).decode(), secret.hex()):
            assert form.rstrip("=") not in dump.getvalue()


def test_the_embedded_default_derives_its_key_from_secret_key(settings):
    settings.AUDIT_SIGNING_KEY = ""
    first = keys.fingerprint(keys.public_raw(keys.signing_key()))
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert keys.fingerprint(keys.public_raw(keys.signing_key())) != first


def test_a_rotated_key_trusts_old_checkpoints_only_when_listed(api, auction, settings):
    old = Ed25519PrivateKey.generate()
    settings.AUDIT_SIGNING_KEY = base64.b64encode(old.private_bytes_raw()).decode()
    checkpoint_seal(stream=rfq_stream(auction))
    settings.AUDIT_SIGNING_KEY = base64.b64encode(Ed25519PrivateKey.generate().private_bytes_raw()).decode()
    result = verify(api, auction)
    assert result["ok"] is False and "does not trust" in result["problem"]
    settings.AUDIT_PREVIOUS_PUBLIC_KEYS = [keys.encode(keys.public_raw(old))]
    assert verify(api, auction)["ok"] is True


def test_a_forged_checkpoint_file_is_reported(api, auction):
    document = checkpoint_seal(stream=rfq_stream(auction))
    path = anchor_dir() / f"rfq-{auction}" / f"{document['seq']:012d}.json"
    path.write_text(json.dumps({**document, "head_hash": "f" * 64}))
    result = verify(api, auction)
    assert (result["ok"], result["first_bad_seq"]) == (False, document["seq"])
    assert "signature does not verify" in result["problem"]


def test_verify_names_the_latest_checkpoint(api, auction):
    assert verify(api, auction)["checkpoint"] is None
    document = checkpoint_seal(stream=rfq_stream(auction))
    assert verify(api, auction)["checkpoint"] == document
    out = StringIO()
    call_command("verify_audit", "--rfq", str(auction), stdout=out)
    assert f"Sealed up to seq {document['seq']}" in out.getvalue()


# --- The tables against the events (no guard protects them) -------------------------------------

def test_an_eventful_auction_rebuilds_to_its_tables(api, demo):
    """Extension, withdrawal, a refused bid, close, an override award: nothing to report."""
    rfq = eventful_auction(api, demo)["rfq"]
    result = verify(api, rfq)
    assert (result["ok"], result["problems"]) == (True, []), result


def test_sealed_quotes_superseded_withdrawn_and_opened_rebuild_to_their_tables(api, demo):
    rfq = sealed_auction(demo)
    prices = dict(zip(items(rfq), ["100.00", "150.00"], strict=True))
    created(quote(api, "supplier1", rfq, prices))
    created(quote(api, "supplier1", rfq, {k: "90.00" for k in prices}))  # supersedes the first
    withdrawn = created(quote(api, "supplier2", rfq, prices))
    ok(withdraw(api, "supplier2", rfq, withdrawn["id"]))
    created(quote(api, "supplier3", rfq, prices))
    assert verify(api, rfq)["ok"] is True
    close_and_evaluate(api, rfq)
    result = verify(api, rfq)
    assert (result["ok"], result["problems"]) == (True, []), result


def test_a_bid_row_changed_without_an_event_is_reported_at_its_bid(api, auction):
    placed = AuditEvent.objects.get(stream=rfq_stream(auction), type="bid.placed")
    Bid.objects.filter(pk=placed.payload["bid_id"]).update(status="withdrawn")
    result = verify(api, auction)
    assert (result["ok"], result["first_bad_seq"]) == (False, placed.seq)
    assert [p["kind"] for p in result["problems"]] == ["state"]
    assert "status is withdrawn in the bids table, accepted in the events" in result["problem"]


def test_an_rfq_row_changed_without_an_event_is_reported(api, auction):
    RFQ.objects.filter(pk=auction).update(extensions=3, bid_count=7)
    result = verify(api, auction)
    details = " ".join(p["detail"] for p in result["problems"])
    assert "extension count is 3, the events say 0" in details and "bid count is 7, the events say 1" in details
    assert result["first_bad_seq"] == head_of(auction).seq  # no event set them: the stream's last seq
