"""Where a request came from, for the audit trail and gaming detection: one reading of a
request shared by the API and the pages (a bid is recorded the same whichever it came by)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from .client_ip import client_ip

# A fingerprint we derived (not one the client sent) starts with this: gaming detection must
# not read two suppliers on one browser version as one machine.
DERIVED_FINGERPRINT = "ua:"


@dataclass(frozen=True)
class RequestMeta:
    ip: str | None = None
    user_agent: str = ""
    fingerprint: str = ""
    session: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"ip": self.ip, "user_agent": self.user_agent, "fingerprint": self.fingerprint,
                "session": self.session}


def request_meta(request) -> RequestMeta:
    user_agent = request.headers.get("User-Agent", "")[:300]
    # A client may send its own device fingerprint; otherwise we derive a coarse one, marked as derived.
    fingerprint = request.headers.get("X-Device-Fingerprint", "")[:128] or DERIVED_FINGERPRINT + hashlib.sha256(
        f"{user_agent}|{request.headers.get('Accept-Language', '')}".encode()).hexdigest()[:32]
    session_key = (request.session.session_key or "") if hasattr(request, "session") else ""
    # The trail links bids from one session without holding the key, a credential whoever
    # reads the trail could sign in with.
    session = hashlib.sha256(f"session:{session_key}".encode()).hexdigest()[:32] if session_key else ""
    return RequestMeta(ip=client_ip(request), user_agent=user_agent, fingerprint=fingerprint, session=session)
