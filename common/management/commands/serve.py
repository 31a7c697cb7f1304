"""`runserver` for the embedded default, plus the in-process scheduler that opens and closes
auctions on time (common/scheduler.py). With a broker configured it is plain runserver:
Celery beat and workers do that work."""
from daphne.management.commands.runserver import Command as RunserverCommand

from common.embedded_http import answer_malformed_requests, name_every_status
from common.scheduler import InProcessBeat


class Command(RunserverCommand):
    help = "Serve the site; on the embedded default, also run the scheduled jobs in-process."

    def inner_run(self, *args, **options):
        # inner_run is what runs in the serving process (the autoreloader's child), so the
        # scheduler lives exactly as long as the server that answers requests.
        from config.celery import app

        name_every_status()
        answer_malformed_requests()
        if app.conf.task_always_eager:
            InProcessBeat().start()
        return super().inner_run(*args, **options)
