"""ASGI entry point: HTTP through Django, WebSocket (live auctions) through Channels."""
import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

# Django must be set up before these imports.
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from accounts.auth import origin_validator, websocket_auth  # noqa: E402
from auctions.consumers import AuctionConsumer  # noqa: E402


async def lifespan(scope, receive, send):
    """Startup: move everything loaded so far (Django, the apps, their modules) out of the
    garbage collector's reach. A full collection otherwise walks those objects again each
    time, a pause every connection of the process waits through (gc.freeze's documented use,
    done once the server has imported what it needs)."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            gc.collect()
            gc.freeze()
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
