"""Production: everything of base, plus what `check --deploy` asks for.

SECRET_KEY, ALLOWED_HOSTS and the keys have no defaults here on purpose: a deployment that forgets
them must fail to start rather than run with the embedded default's values.
"""
from config.env import env, raw_secret

from .base import *  # noqa: F401,F403

SECRET_KEY = raw_secret("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
QUAYSIDE_SEALING_KEYS = [key.strip() for key in raw_secret("SEALING_KEYS").split(",") if key.strip()]
# Never derived from SECRET_KEY here: whoever holds the signing key can seal a rewritten trail.
AUDIT_SIGNING_KEY = raw_secret("AUDIT_SIGNING_KEY")
DEBUG = False

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False
