"""ASGI entry point: HTTP through Django, WebSocket (live auctions) through Channels."""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

# Django must be set up before these imports.
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import get_resolver, path  # noqa: E402

from accounts.auth import origin_validator, websocket_auth  # noqa: E402
from auctions.consumers import AuctionConsumer  # noqa: E402
from common import gc_pauses  # noqa: E402


async def lifespan(scope, receive, send):
    """Startup: import the URLconf (Django would on the first request that resolves a URL:
    every view module, scipy among them, after the freeze below), then move everything loaded
    out of the garbage collector's reach and collect the young less often (common.gc_pauses:
    full collections were the pauses every connection of the process waited through)."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            get_resolver().url_patterns  # noqa: B018 (the property imports the URLconf)
            gc_pauses.freeze_loaded()
            gc_pauses.raise_young_threshold()
            gc_pauses.watch()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


websocket_urls = [path("ws/rfqs/<int:pk>/", AuctionConsumer.as_asgi())]

application = ProtocolTypeRouter({
    "http": django_asgi_app,
    # An Authorization header (API clients), or else the session (browsers).
    "websocket": origin_validator(websocket_auth(URLRouter(websocket_urls))),
    "lifespan": lifespan,
})
