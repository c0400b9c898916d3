"""CSRF tokens and the rate limit, with injected clocks (no server, no waiting)."""

from __future__ import annotations

from showroom.web.guard import CsrfTokens, RateLimiter


def test_token_is_bound_to_its_cookie_and_expires() -> None:
    clock = [1_000_000.0]
    tokens = CsrfTokens(b"k" * 32, clock=lambda: clock[0], max_age=7200)
    token = tokens.issue("nonce-a")
    assert tokens.check(token, "nonce-a")
    assert not tokens.check(token, "nonce-b")  # another browser's cookie
    assert not tokens.check("", "nonce-a") and not tokens.check("abc", "nonce-a")
    assert not CsrfTokens(b"x" * 32, clock=lambda: clock[0]).check(token, "nonce-a")
    clock[0] += 7201
    assert not tokens.check(token, "nonce-a")


def test_rate_limit_counts_per_address_in_a_sliding_window() -> None:
    clock = [0.0]
    limiter = RateLimiter(limit=2, window=60.0, clock=lambda: clock[0])
    assert limiter.hit("a") == 0 and limiter.hit("a") == 0
    assert limiter.hit("a") == 60
    assert limiter.hit("b") == 0  # another address
    clock[0] = 30.0
    assert limiter.hit("a") == 30
    clock[0] = 60.0
    assert limiter.hit("a") == 0  # the first request left the window


def test_rate_limit_forgets_the_oldest_addresses_beyond_its_size() -> None:
    limiter = RateLimiter(limit=1, window=60.0, clock=lambda: 0.0, max_keys=2)
    for address in ("a", "b", "c"):
        assert limiter.hit(address) == 0
    assert limiter.hit("a") == 0  # forgotten: memory stays bounded
    assert limiter.hit("c") > 0
