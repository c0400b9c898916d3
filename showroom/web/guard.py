"""What protects the two forms and every page: CSRF tokens, a rate limit, security headers.

Plain Python with injectable clocks, so each rule is testable without a server or waiting.

- **CSRF**: a signed double-submit token. The form carries ``issued.mac`` where the MAC
  (HMAC-SHA256 with a per-process secret) covers the issue time and a random nonce kept in
  a ``SameSite=Strict`` cookie; a post whose token does not match its own cookie, or is
  older than two hours, is refused. No server-side session is needed.
- **Rate limit**: a sliding window per client address for the two requests (booking a test
  drive, signing up for the inspection day): a script cannot fill the desk with bookings.
- **Headers**: a strict Content-Security-Policy (no inline script, nothing from elsewhere,
  never framed), ``nosniff``, ``same-origin`` referrers.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable

CSRF_COOKIE = "sr_csrf"
CSRF_FIELD = "csrf"
CSRF_MAX_AGE = 2 * 3600

# Ten requests per address in ten minutes: more than a family booking a drive and a seat
# with a few typos, far less than a script filling the desk's list.
RATE_LIMIT = 10
RATE_WINDOW = 600.0
MAX_TRACKED = 10_000  # addresses remembered at once (oldest forgotten first)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def new_nonce() -> str:
    return secrets.token_hex(16)


class CsrfTokens:
    """Issues and checks form tokens bound to the browser's cookie nonce."""

    def __init__(
        self,
        secret: bytes | None = None,
        *,
        clock: Callable[[], float] = time.time,
        max_age: int = CSRF_MAX_AGE,
    ) -> None:
        self._secret = secret or secrets.token_bytes(32)
        self._clock = clock
        self._max_age = max_age

    def _mac(self, issued: int, nonce: str) -> str:
        message = f"{issued}.{nonce}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def issue(self, nonce: str) -> str:
        issued = int(self._clock())
        return f"{issued}.{self._mac(issued, nonce)}"

    def check(self, token: str, nonce: str) -> bool:
        issued_text, _, mac = (token or "").partition(".")
        if not nonce or not issued_text.isdigit() or not mac:
            return False
        issued = int(issued_text)
        if not 0 <= self._clock() - issued <= self._max_age:
            return False
        return hmac.compare_digest(mac, self._mac(issued, nonce))


class RateLimiter:
    """At most ``limit`` requests per key within ``window`` seconds (thread-safe)."""

    def __init__(
        self,
        limit: int = RATE_LIMIT,
        window: float = RATE_WINDOW,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_TRACKED,
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> int:
        """Count one request; 0 if allowed, else the whole seconds until one would be."""
        now = self._clock()
        with self._lock:
            hits = self._hits.pop(key, None) or deque()
            while hits and now - hits[0] >= self.window:
                hits.popleft()
            self._hits[key] = hits  # re-inserted: dict order is least recently seen first
            if len(hits) >= self.limit:
                return max(1, int(hits[0] + self.window - now + 0.999))
            hits.append(now)
            while len(self._hits) > self._max_keys:
                del self._hits[next(iter(self._hits))]
            return 0
