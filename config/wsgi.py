"""WSGI entry point: the HTTP API and pages under Gunicorn's sync workers in production.

Django's sync views run faster under WSGI than under ASGI (no thread hop per request), so a
deployment serves HTTP here and only `/ws/` through the ASGI server (README "Production").
"""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
