"""API and WebSocket authentication."""
from collections.abc import Callable

from channels.db import database_sync_to_async
from channels.security import websocket as channels_security
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from common.db import column_count, instances, run_batch, select_columns

from .models import User


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication in one statement that also loads the user's supplier company.

    Every API call authenticates, and nearly every one asks which company the user bids
    for: the token, the user and the company come back in one row, with no ORM query to
    compile (common.db), which keeps the bid hot path short. `request.auth` is the Token.
    """

    def authenticate(self, request):
        # A view may name what it reads next for the token's user (`read_with_token(request,
        # key)` → statements): they go in the authentication's round trip, and their rows wait
        # on the request as `read_with_token_rows` (the bid hot path: the RFQ to bid on).
        view = (getattr(request, "parser_context", None) or {}).get("view")
        self._companion = getattr(view, "read_with_token", None)
        self._request = request
        try:
            return super().authenticate(request)
        finally:
            self._companion = self._request = None

    def authenticate_credentials(self, key):
        companion = getattr(self, "_companion", None)
        extra = companion(self._request, key) if companion is not None else []
        user, rows = user_for_token(key, extra)
        if extra:
            self._request.read_with_token_rows = rows
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return user, Token(key=key, user=user)


def user_for_token(key: str, extra: list | tuple = ()) -> tuple[User | None, list[list[tuple]]]:
    """The user of the token `key` with their supplier company loaded (None: no such token),
    and the rows of each `extra` statement, all in one round trip (common.db.run_batch)."""
    results = run_batch([token_user_statement(key), *extra])
    return user_from_row(results[0][0] if results[0] else None), results[1:]


def token_user_statement(key: str, select: Callable[[str], str] | None = None) -> tuple[str, list]:
    """The statement of the token's user and supplier company: one row, read by user_from_row.
    `select`: what to select instead, made from the list of those columns."""
    # The supplier's model by the relation, not by import: suppliers sits above accounts.
    SupplierCompany = User.supplier.field.related_model
    columns = f"{select_columns(User, 'u')}, {select_columns(SupplierCompany, 's')}"
    return (f"""SELECT {select(columns) if select is not None else columns}
                 FROM {Token._meta.db_table} t
                 JOIN {User._meta.db_table} u ON u.id = t.user_id
                 LEFT JOIN {SupplierCompany._meta.db_table} s ON s.id = u.supplier_id
                WHERE t.key = %s""", [key])


def user_from_row(row: tuple | None) -> User | None:
    """The user (and supplier company) of a token_user_statement row; None for no row."""
    if row is None:
        return None
    split = column_count(User)
    user = instances(User, [row[:split]])[0]
    if user.supplier_id is not None:
        user.supplier = instances(User.supplier.field.related_model, [row[split:]])[0]
    return user


class TokenHeaderAuthMiddleware:
    """WebSocket authentication by an `Authorization: Token <key>` header (API clients).

    Browsers are authenticated by their session (AuthMiddlewareStack, outside this one). A
    token in the query string is never read: URLs end up in logs and proxies.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        header = dict(scope.get("headers") or []).get(b"authorization", b"").decode("latin1")
        keyword, _, key = header.partition(" ")
        if keyword == "Token" and key and " " not in key:
            scope = {**scope, "user": await _user_for_token(key)}
        elif header:
            scope = {**scope, "user": AnonymousUser()}  # a credential we do not accept: no session fallback
        return await self.app(scope, receive, send)


def websocket_auth(app):
    """A connection with an `Authorization` header goes through TokenHeaderAuthMiddleware alone;
    one without, through the session (AuthMiddlewareStack).

    The session's middleware wraps every message the server sends and looks at the session on
    each: with a live auction's fan-out that is one check per socket per event, for API
    clients that have no session at all. An Authorization header never falls back to the
    session either way (TokenHeaderAuthMiddleware).
    """
    from channels.auth import AuthMiddlewareStack

    by_token, by_session = TokenHeaderAuthMiddleware(app), AuthMiddlewareStack(app)

    async def authenticate(scope, receive, send):
        if any(name == b"authorization" for name, _ in scope.get("headers") or ()):
            return await by_token(scope, receive, send)
        return await by_session(scope, receive, send)

    return authenticate


@database_sync_to_async
def _user_for_token(key: str):
    try:
        return TokenAuthentication().authenticate_credentials(key)[0]
    except exceptions.AuthenticationFailed:
        return AnonymousUser()


class OriginValidator(channels_security.OriginValidator):
    """A browser's foreign `Origin` is refused; a client that sends none (an SDK) is not a
    browser page and passes (it still has to authenticate)."""

    def valid_origin(self, parsed_origin):
        return parsed_origin is None or self.validate_origin(parsed_origin)


def origin_validator(app):
    """Origins allowed: the site's ALLOWED_HOSTS, as Channels' AllowedHostsOriginValidator."""
    from django.conf import settings

    allowed = settings.ALLOWED_HOSTS or (["localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else [])
    return OriginValidator(app, allowed)
