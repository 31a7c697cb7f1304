"""python manage.py rotate_sealing_keys — re-encrypt unopened quotes and quote attachments with the newest key."""
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction

from auctions.idempotency import ENCRYPTED
from auctions.models import Bid, IdempotencyRecord, QuoteAttachment
from auctions.sealing import reseal, reseal_bytes


class Command(BaseCommand):
    help = "Re-encrypt every unopened sealed quote with the first key of SEALING_KEYS."

    def handle(self, *args, **options):
        done = 0
        pending = Bid.objects.filter(opened_at__isnull=True).exclude(sealed_payload="").values_list("pk", flat=True)
        for pk in pending.iterator():
            with transaction.atomic():
                bid = Bid.objects.select_for_update(no_key=True).get(pk=pk)
                # The commitment covers the plaintext, so it still holds after re-encryption.
                bid.sealed_payload = reseal(bid.sealed_payload)
                bid.save(update_fields=["sealed_payload"])
            done += 1
        # Stored responses to sealed quotes (Idempotency-Key replays) are encrypted as well.
        for record in IdempotencyRecord.objects.filter(body__has_key=ENCRYPTED).iterator():
            record.body = {ENCRYPTED: reseal(record.body[ENCRYPTED])}
            record.save(update_fields=["body"])
            done += 1
        # Files attached to quotes are stored encrypted, opened or not.
        for attachment in QuoteAttachment.objects.select_related("bid").iterator():
            with attachment.file.open("rb") as handle:
                token = handle.read()
            # Written beside the old file first: the old one goes only once the new one is recorded.
            old = attachment.file.name
            attachment.file.name = attachment.file.storage.save(old, ContentFile(reseal_bytes(token)))
            attachment.save(update_fields=["file"])
            attachment.file.storage.delete(old)
            done += 1
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {done} sealed quote(s), stored response(s) and quote attachment(s)."))
