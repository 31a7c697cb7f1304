"""Third-party integrations: DRF, OpenAPI, Channels, Celery, cache. Env-driven."""
from datetime import timedelta

from celery.schedules import crontab

from config.env import env

REDIS_URL = env.str("REDIS_URL", default="")

REST_FRAMEWORK = {
    # Token first so an anonymous API call answers 401 with WWW-Authenticate, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only; the KYC upload view declares multipart for itself.
    "DEFAULT_PARSER_CLASSES": ["common.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": None,  # lists are whole unless the client asks for ?limit=
    "EXCEPTION_HANDLER": "common.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "common.schema.QuaysideAutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    "DATETIME_FORMAT": "iso-8601",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Quayside API",
    "DESCRIPTION": "E-sourcing and e-auctions for maritime procurement.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # One name for a choice set used in several places (else drf-spectacular warns, and a
    # warning fails `check --deploy`).
    "ENUM_NAME_OVERRIDES": {"SimulatedAuctionTypeEnum": "auctions.simulation.serializers.AUCTION_TYPES"},
    # Swagger UI from our own static files (drf-spectacular-sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # Live auction messages do not go through the channel layer (common/realtime.py
            # publishes on Redis and each process fans out to its own sockets). For anything
            # else Channels carries, pub/sub: the list-based RedisChannelLayer was measured at
            # ~1.9 s median delay and 5 % loss with 300 subscribers on one group.
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    # A Redis that stops answering (rather than refusing connections) must not hold a request
    # or a worker thread: every request-time client gives up after these many seconds.
    REDIS_CLIENT_TIMEOUTS = {"socket_connect_timeout": env.float("REDIS_CONNECT_TIMEOUT", default=2.0),
                             "socket_timeout": env.float("REDIS_SOCKET_TIMEOUT", default=2.0)}
    # Django's Redis cache, keeping its client objects (common/cache.py: one per call cost more
    # CPU than the round trip).
    CACHES = {
        "default": {"BACKEND": "common.cache.RedisCache", "LOCATION": REDIS_URL,
                    "OPTIONS": REDIS_CLIENT_TIMEOUTS}
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    REDIS_CLIENT_TIMEOUTS = {}
    # Embedded default: everything in-process, no services to install.
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True

CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A message a worker has taken but not acknowledged goes back to the queue after this long;
# a worker holds an ETA message unacknowledged until its ETA, so every ETA we use stays
# below it (QUAYSIDE["MAX_JOB_ETA_SECONDS"], procurement/scheduling.py) and no job is run
# twice just for waiting. It is also how long a job lost with a killed worker waits before
# redelivery; the sweeps below do its work long before that.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
# Redis going away: a worker retries the connection (2 s, 4 s, … up to 30 s apart) and carries
# on. But with the pinned kombu (5.7.0) a worker that holds an unacknowledged message when the
# connection drops can die instead ("Unrecoverable error: AttributeError ... 'hostname'", exit
# status 1): its supervisor restarts it (README "Background jobs"). A worker started while
# Redis is still down must then wait for it rather than exit, which this says explicitly
# (unset, Celery 5 falls back to broker_connection_retry and Celery 6 will not).
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Sweeps: open and close whatever is due even if its scheduled job was lost. The embedded
# default runs this same schedule in-process (common/scheduler.py), every second since it
# has no scheduled jobs to rely on.
SWEEP_SECONDS = env.float("QUAYSIDE_SWEEP_SECONDS", default=5.0 if REDIS_URL else 1.0)
AUDIT_ANCHOR_SECONDS = env.float("QUAYSIDE_AUDIT_ANCHOR_SECONDS", default=60.0)
# The after-close sweep: a close whose after-close job has not produced the fairness report
# within the grace is finished by the sweep (the job normally takes seconds). Every minute,
# not every few seconds: it reads every closed RFQ without a current report.
AFTER_CLOSE_SWEEP_SECONDS = env.float("QUAYSIDE_AFTER_CLOSE_SWEEP_SECONDS", default=60.0)
AFTER_CLOSE_GRACE_SECONDS = env.float("QUAYSIDE_AFTER_CLOSE_GRACE_SECONDS", default=120.0)
CELERY_BEAT_SCHEDULE = {
    # A sweep nobody ran within its interval is dropped (the next one does its work), so a
    # deployment whose workers were down does not wake to a backlog of thousands of sweeps.
    "close-overdue-rfqs": {"task": "procurement.tasks.close_overdue_rfqs", "schedule": SWEEP_SECONDS,
                           "options": {"expires": SWEEP_SECONDS}},
    "open-due-rfqs": {"task": "procurement.tasks.open_due_rfqs", "schedule": SWEEP_SECONDS,
                      "options": {"expires": SWEEP_SECONDS}},
    "finish-closed-rfqs": {"task": "procurement.tasks.finish_closed_rfqs", "schedule": AFTER_CLOSE_SWEEP_SECONDS,
                           "options": {"expires": AFTER_CLOSE_SWEEP_SECONDS}},
    # Seals the head of every audit stream that moved since its last checkpoint (product.md §6:
    # at least every minute while events arrive); closes seal at once besides.
    "seal-audit-checkpoints": {"task": "audit.anchoring.tasks.seal_audit_checkpoints",
                               "schedule": AUDIT_ANCHOR_SECONDS, "options": {"expires": AUDIT_ANCHOR_SECONDS}},
    # Daily, not quarterly: each run draws the last quarter's sample if it is not drawn yet,
    # so a run missed on the quarter's first day is caught up the next day.
    "draw-compliance-sample": {"task": "oversight.compliance.tasks.draw_compliance_sample",
                               "schedule": crontab(minute=15, hour=2)},
    # Warns of KYC documents near expiry and expires suppliers whose required ones lapsed.
    "kyc-expiry": {"task": "suppliers.tasks.kyc_expiry_daily", "schedule": crontab(minute=5, hour=0)},
}

# Sign-in throttling (django-axes; accounts/throttle.py), on the API's token exchange, the
# sign-in page and the admin's. Failed sign-ins are counted per account and address, per
# account (from any address: guessing spread over many addresses) and per address (for any
# account: spraying one password over many accounts); reaching any limit locks that scope
# until its failures are older than the cool-off. The account-wide and address-wide limits
# are higher: an office behind one address shares the one, and anybody can run up the other.
SIGN_IN_LIMITS = {
    "ACCOUNT_AND_ADDRESS": env.int("QUAYSIDE_SIGN_IN_LIMIT_ACCOUNT_AND_ADDRESS", default=5),
    "ACCOUNT": env.int("QUAYSIDE_SIGN_IN_LIMIT_ACCOUNT", default=20),
    "ADDRESS": env.int("QUAYSIDE_SIGN_IN_LIMIT_ADDRESS", default=50),
}
# In this order: the handler pairs each with its limit above.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username", "ip_address"]
AXES_FAILURE_LIMIT = SIGN_IN_LIMITS["ACCOUNT_AND_ADDRESS"]
AXES_COOLOFF_TIME = timedelta(minutes=env.int("QUAYSIDE_SIGN_IN_COOLOFF_MINUTES", default=15))
AXES_HANDLER = "accounts.throttle.SignInThrottleHandler"
# The address the audit trail and gaming detection use (QUAYSIDE_TRUSTED_PROXIES), never a
# client's own X-Forwarded-For.
AXES_CLIENT_IP_CALLABLE = "common.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.throttle.lockout_response"
# A successful sign-in clears that account's failures from that address (the handler narrows
# axes' reset to the pair: clearing the address's failures would let an attacker with an
# account of their own wipe their count against others by signing in between guesses).
AXES_RESET_ON_SUCCESS = True
# Attempts refused while locked are not counted: a lockout ends one cool-off after the failure
# that caused it, which is what Retry-After says, and retrying early does not prolong it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Successful sign-ins are not logged by axes (a table nobody prunes); lockouts and their
# lifting are in the audit trail.
AXES_DISABLE_ACCESS_LOG = True
# accounts/admin.py registers the attempts with a "lift" that is audited.
AXES_ENABLE_ADMIN = False
# Axes logs its configuration at start and every sign-in's bookkeeping at INFO; lockouts are
# in the audit trail, and a failed sign-in is still logged at WARNING.
AXES_VERBOSE = False
