"""python manage.py verify_audit [--rfq ID] — report the first broken link, exit 1 if any."""
from django.core.management.base import BaseCommand, CommandError

from audit.selectors import audit_verify


class Command(BaseCommand):
    help = "Verify the audit trail's hash chains; name the first broken link."

    def add_arguments(self, parser):
        parser.add_argument("--rfq", type=int, help="verify only this RFQ's stream")

    def handle(self, *args, **options):
        result = audit_verify(rfq_id=options.get("rfq"))
        if not result.ok:
            raise CommandError(f"Audit chain broken in stream {result.stream} at seq {result.first_bad_seq}: "
                               f"{result.problem} ({result.checked} event(s) verified).")
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {result.checked} event(s) verified."))
