"""Base settings: the embedded default, switched to PostgreSQL/Redis by the environment."""
import warnings

from config.env import BASE_DIR, env, raw_secret

from .integrations import *  # noqa: F401,F403

SECRET_KEY = raw_secret("SECRET_KEY", default="insecure-embedded-default-key-do-not-deploy")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "common.apps.QuaysideAdminConfig",  # django.contrib.admin, its site guarded (common/admin.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files served by us: /api/docs/ works offline
    "channels",
    "django_countries",
    "axes",
    "common",
    "rfqs",
    "audit",
    "accounts",
    "suppliers",
    "auctions",
    "auctions.simulation",
    "oversight",
    "procurement",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A supplier's token-authenticated bid leaves here for the bid service; everything else
    # goes on (auctions/bid_route.py). After the two above: their redirect and headers apply.
    "auctions.bid_route.BidRoute",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "common.middleware.RefuseNul",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "common.middleware.LocalTimeAndNumbers",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Last, as django-axes asks: it turns a sign-in refused for too many failures into the
    # lockout page (settings/integrations.py, accounts/throttle.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # `when` and `zone_name` on every page: times in the reader's zone, UTC on hover.
            "builtins": ["common.templatetags.local_time"],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so concurrent writers queue
    # instead of failing with "database is locked" half-way through a transaction.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A connection pool per process: under ASGI each request runs in its own thread, so
    # persistent connections would pile up, and a fresh connection per request costs more
    # than the bid itself. Size it so processes × max_size stays below max_connections.
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=1),
        "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=8),
        "timeout": env.int("DATABASE_POOL_TIMEOUT", default=10),
    }
    # Prepared statements allowed on the connection (Django turns them off): the bid hot path's
    # pipelines prepare theirs (common/db.py). Django's own cursors bind client-side and never do.
    # Off (DATABASE_PREPARED_STATEMENTS=false) behind a pooler that cannot keep them per client.
    prepared = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 5 if prepared else None
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Axes first: it refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# KYC documents are private: they live under MEDIA_ROOT but are never served by URL,
# only through views that check who is asking.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Quayside <no-reply@quayside.example>")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Celery logs every task run at INFO; the open/close sweeps run every few seconds and would
    # bury everything else. Failures are logged at ERROR whatever this says.
    "loggers": {**{name: {"level": env.str("TASK_LOG_LEVEL", default="WARNING")}
                   for name in ("celery.app.trace", "celery.worker.strategy")},
                # Axes logs each sign-in's bookkeeping at INFO; failures stay at WARNING and
                # lockouts are in the audit trail.
                "axes": {"level": "WARNING"},
                # DEBUG: a line per live publish with its commit moment (common.realtime).
                "quayside.live.commits": {"level": env.str("LIVE_COMMITS_LOG_LEVEL", default="WARNING")}},
}

# Fernet keys for sealed quotes, newest first (comma-separated). Empty: derived from
# SECRET_KEY (embedded default only; production requires them).
QUAYSIDE_SEALING_KEYS = [key for key in env.list("SEALING_KEYS", default=[]) if key]

# Audit anchoring (product.md §6; audit/anchoring/): the Ed25519 key that seals each stream's
# head, as base64 of its 32 raw bytes. It is never stored in the database — that is the point:
# a database superuser cannot forge a checkpoint. Empty: derived from SECRET_KEY (embedded
# default only; production requires it).
AUDIT_SIGNING_KEY = env.str("AUDIT_SIGNING_KEY", default="")
# Public keys (base64) of earlier signing keys: their checkpoints still verify after a rotation.
AUDIT_PREVIOUS_PUBLIC_KEYS = env.list("AUDIT_PREVIOUS_PUBLIC_KEYS", default=[])
# Where checkpoints are written outside the database (write-once files); empty: MEDIA_ROOT/audit-anchors.
# Point it at storage the database's administrators cannot rewrite (another host, a WORM mount).
AUDIT_ANCHOR_DIR = env.str("AUDIT_ANCHOR_DIR", default="")
# The store behind one small interface (audit/anchoring/store.py); an object store can replace it.
AUDIT_ANCHOR_STORE = env.str("AUDIT_ANCHOR_STORE", default="audit.anchoring.store.DirectoryStore")

# Domain settings: thresholds a compliance team may want to tune per deployment.
QUAYSIDE = {
    "MIN_INVITED_SUPPLIERS": env.int("QUAYSIDE_MIN_INVITED_SUPPLIERS", default=2),
    "KYC_MAX_UPLOAD_BYTES": env.int("QUAYSIDE_KYC_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024),
    "ATTACHMENT_MAX_UPLOAD_BYTES": env.int("QUAYSIDE_ATTACHMENT_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024),
    "KYC_REQUIRED_DOCUMENTS": ["certificate_of_incorporation", "tax_registration", "insurance"],
    "HIGH_VALUE_THRESHOLD": env.str("QUAYSIDE_HIGH_VALUE_THRESHOLD", default="100000"),
    "MAX_MONEY_AMOUNT": env.str("QUAYSIDE_MAX_MONEY_AMOUNT", default="1000000000"),
    # A reverse-auction bid this many percent or more below the best (or the starting price)
    # is refused as a likely typing error (rule implausible_drop); 30 % already warns.
    "IMPLAUSIBLE_DROP_PERCENT": env.str("QUAYSIDE_IMPLAUSIBLE_DROP_PERCENT", default="90"),
    # The longest a scheduled open/close job waits in the broker; it must stay below the
    # broker's visibility timeout (settings/integrations.py). Later times hop in steps.
    "MAX_JOB_ETA_SECONDS": env.int("QUAYSIDE_MAX_JOB_ETA_SECONDS", default=30 * 60),
    # Suppliers are warned (e-mail once, and a notice on their pages) this many days before
    # a KYC document expires.
    "KYC_EXPIRY_WARNING_DAYS": env.int("QUAYSIDE_KYC_EXPIRY_WARNING_DAYS", default=30),
    # The quarterly compliance sample: RATE of the auctions closed in the quarter, at least
    # MIN and at most MAX of them (never more than closed).
    "COMPLIANCE_SAMPLE": {
        "RATE": env.float("QUAYSIDE_COMPLIANCE_SAMPLE_RATE", default=0.05),
        "MIN": env.int("QUAYSIDE_COMPLIANCE_SAMPLE_MIN", default=5),
        "MAX": env.int("QUAYSIDE_COMPLIANCE_SAMPLE_MAX", default=50),
    },
    # Gaming detection (oversight/gaming/): each detector's thresholds under its name; each
    # module's docstring says what it looks for and why these figures.
    # Reverse proxies whose X-Forwarded-For is believed for the client's address (networks,
    # comma-separated; common/client_ip.py). Empty: REMOTE_ADDR is the client.
    "TRUSTED_PROXIES": env.list("QUAYSIDE_TRUSTED_PROXIES", default=[]),
    # OCDS export (procurement/ocds/): the ocid prefix registered with the Open Contracting
    # Partnership ("ocds-" and six characters; a deployment check refuses any other shape),
    # and the publisher named in every package.
    "OCDS_PREFIX": env.str("QUAYSIDE_OCDS_PREFIX", default="ocds-qysd00"),
    "OCDS_PUBLISHER": env.str("QUAYSIDE_OCDS_PUBLISHER", default="Quayside"),
    "GAMING": {
        # During bidding an RFQ is scanned at most once per this many seconds (after the first
        # bid of the window); at close it is always scanned.
        "DEBOUNCE_SECONDS": env.int("QUAYSIDE_GAMING_DEBOUNCE_SECONDS", default=30),
        # HIGH. Loopback addresses are every supplier's on one host (embedded default, demo).
        "shared_ip_or_device": {"MIN_SUPPLIERS": 2, "IGNORED_NETWORKS": ["127.0.0.0/8", "::1/128"]},
        # MEDIUM. A strict A-B-A-B run of at least MIN_RUN bids, median step ≤ this % of the price.
        "bid_cycling": {"MIN_RUN": 8, "MAX_MEDIAN_STEP_PCT": "0.5"},
        # MEDIUM. This many withdrawals by one supplier; a rebid within REBID_SECONDS is "quick".
        "withdrawal_abuse": {"MIN_WITHDRAWALS": 2, "REBID_SECONDS": 120},
        # LOW. At least MIN_BIDS by one supplier within WINDOW_SECONDS before a deadline.
        "last_second_flooding": {"WINDOW_SECONDS": 10, "MIN_BIDS": 5},
        # LOW. At least MIN_REACTIONS answers (≤ MAX_REACTION_SECONDS after a rival's bid)
        # whose delays have a standard deviation ≤ MAX_SPREAD_SECONDS.
        "bot_reaction_timing": {"MAX_REACTION_SECONDS": 30, "MIN_REACTIONS": 5, "MAX_SPREAD_SECONDS": 0.5},
        # MEDIUM. The same amount from at least MIN_SUPPLIERS suppliers.
        "identical_prices": {"MIN_SUPPLIERS": 2},
        # MEDIUM. At least MIN_BIDS (and MIN_SHARE of a loser's comparable bids) within
        # MAX_GAP_PCT % above the leader's standing bid.
        "cover_bids": {"MAX_GAP_PCT": "1.0", "MIN_BIDS": 3, "MIN_SHARE": 0.8},
    },
}

# Outside production, static files are served straight from the finders (no collectstatic
# needed), so WhiteNoise's warning about a missing STATIC_ROOT is noise.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
