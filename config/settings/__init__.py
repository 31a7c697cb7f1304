"""Settings entry point: the embedded default unless DJANGO_ENV=production.

The same code path runs everywhere; only the services behind it differ, chosen by
DATABASE_URL / REDIS_URL (see base.py).
"""
from config.env import env

if env.str("DJANGO_ENV", default="") == "production":
    from .production import *  # noqa: F401,F403
else:
    from .base import *  # noqa: F401,F403
