"""python manage.py audit_public_key — the public half of AUDIT_SIGNING_KEY and its fingerprint.

What a verifier outside Quayside needs, and what goes into AUDIT_PREVIOUS_PUBLIC_KEYS before
the key is rotated (so the checkpoints it sealed keep verifying)."""
from django.core.management.base import BaseCommand

from audit.anchoring import keys


class Command(BaseCommand):
    help = "Print the audit signing key's public key (base64) and fingerprint."

    def handle(self, *args, **options):
        public = keys.public_raw(keys.signing_key())
        self.stdout.write(f"{keys.encode(public)}  {keys.fingerprint(public)}")
