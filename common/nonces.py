"""Single-use values (a signature's nonce): the first claim wins, later ones are refused.

Claims live in the cache with an expiry: Redis in production, where `add` is one `SET NX EX`
shared by every process; the embedded default's in-process cache, which is all its one process
needs. A claim expires once the value could no longer be accepted anyway (the caller bounds
the signature's age), so the store does not grow."""
from __future__ import annotations

import hashlib

from django.core.cache import cache


def nonce_claim(*, scope: str, nonce: str, ttl_seconds: int) -> bool:
    """True the first time `nonce` is claimed within `scope` during `ttl_seconds`, else False.
    Redis errors propagate: the API answers 503, so a bid is never taken unchecked."""
    digest = hashlib.sha256(f"{scope}\x00{nonce}".encode()).hexdigest()  # any text, a safe cache key
    return bool(cache.add(f"quayside:nonce:{digest}", 1, timeout=ttl_seconds))
