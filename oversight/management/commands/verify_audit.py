"""python manage.py verify_audit [--rfq ID] — name every problem, the first broken link first; exit 1 if any."""
from django.core.management.base import BaseCommand, CommandError

from oversight.verify import audit_verify, describe, rfq_known


class Command(BaseCommand):
    help = ("Verify the audit trail: hash chains, signed checkpoints outside the database, and each "
            "auction's tables against its events; name the first broken link.")

    def add_arguments(self, parser):
        parser.add_argument("--rfq", type=int, help="verify only this RFQ's stream")

    def handle(self, *args, **options):
        rfq_id = options.get("rfq")
        if rfq_id is not None and not rfq_known(rfq_id):
            raise CommandError(f"There is no RFQ {rfq_id} and nothing recorded of one.")
        result = audit_verify(rfq_id=rfq_id)
        if not result.ok:
            for line in describe(result):
                self.stderr.write(line)
            raise CommandError(f"Audit chain broken in stream {result.stream} at seq {result.first_bad_seq}: "
                               f"{result.problem} ({result.checked} event(s) verified).")
        sealed = result.checkpoint
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {result.checked} event(s) verified."
                                             + (f" Sealed up to seq {sealed['seq']} on {sealed['at']} by "
                                                f"{sealed['key_fingerprint']}." if sealed else "")))
