"""WSGI entry point: the HTTP API and pages under Gunicorn's sync workers in production.

Django's sync views run faster under WSGI than under ASGI (no thread hop per request), so a
deployment serves HTTP here and only `/ws/` through the ASGI server (README "Production").
"""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Django imports the URLconf, and with it every view module, on a worker's first request;
# each Gunicorn worker would make one client wait for those imports (about a second here,
# scipy among them). Done now, while the worker starts and before it accepts a connection.
from django.urls import get_resolver  # noqa: E402 (needs the settings configured above)

get_resolver().url_patterns  # noqa: B018 (the property imports the URLconf)

# Then what is loaded moves out of the garbage collector's reach: a worker's full collection
# walked it all (148 ms here, a bid waiting through it). Slow ones are logged (common.gc_pauses).
from common import gc_pauses  # noqa: E402

gc_pauses.freeze_loaded()
gc_pauses.watch()
