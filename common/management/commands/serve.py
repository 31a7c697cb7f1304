"""`runserver` for the embedded default, plus the in-process scheduler that opens and closes
auctions on time (common/scheduler.py). With a broker configured it is plain runserver:
Celery beat and workers do that work."""
from http import HTTPStatus

from daphne.management.commands.runserver import Command as RunserverCommand
from twisted.web import http as twisted_http

from common.scheduler import InProcessBeat


def name_every_status() -> None:
    """Twisted's table of reason phrases stops at 418, so Daphne's status line for the
    contract's 422 (bid refused) and 429 (rate limited) read "Unknown Status". HTTP clients
    ignore the phrase, but people reading logs and proxies' pages do not: fill in the rest
    from the standard library's table, leaving Twisted's own phrases as they are."""
    for status in HTTPStatus:
        twisted_http.RESPONSES.setdefault(status.value, status.phrase.encode("ascii"))


class Command(RunserverCommand):
    help = "Serve the site; on the embedded default, also run the scheduled jobs in-process."

    def inner_run(self, *args, **options):
        # inner_run is what runs in the serving process (the autoreloader's child), so the
        # scheduler lives exactly as long as the server that answers requests.
        from config.celery import app

        name_every_status()
        if app.conf.task_always_eager:
            InProcessBeat().start()
        return super().inner_run(*args, **options)
