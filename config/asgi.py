"""ASGI entry point: HTTP through Django, WebSocket (live auctions) through Channels."""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

# Django must be set up before these imports.
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from accounts.auth import TokenHeaderAuthMiddleware, origin_validator  # noqa: E402
from auctions.consumers import AuctionConsumer  # noqa: E402

websocket_urls = [path("ws/rfqs/<int:pk>/", AuctionConsumer.as_asgi())]

application = ProtocolTypeRouter({
    "http": django_asgi_app,
    # The session (browsers) first, then an Authorization header (API clients) if there is one.
    "websocket": origin_validator(AuthMiddlewareStack(TokenHeaderAuthMiddleware(URLRouter(websocket_urls)))),
})
