"""The Celery app. Broker: Redis (REDIS_URL); without it tasks run eagerly in-process."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("quayside")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
