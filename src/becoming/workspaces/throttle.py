"""Sign-in throttling: too many wrong passwords lock an account, or a client address, a while.

Counts live in the "throttle" cache (this process's memory by default; Redis when REDIS_URL is
set, so every web process shares them). An account is keyed by a hash of the email as typed,
whether or not such a user exists: a locked unknown account answers exactly like a locked
known one, so the lock tells nothing about which emails have accounts.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import caches

log = logging.getLogger(__name__)


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or the last entry of the proxy's header when set
    (the last is the one our own proxy added; earlier entries are whatever the client sent)."""
    if request is None:
        return "unknown"
    header = settings.CLIENT_ADDRESS_HEADER
    forwarded = request.META.get(header, "") if header else ""
    return forwarded.split(",")[-1].strip() or request.META.get("REMOTE_ADDR", "unknown")


def _subjects(request, email: str) -> list[tuple[str, str, int]]:
    limits = settings.LOGIN_THROTTLE
    account = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return [("account", account, limits["account"]),
            ("address", client_address(request), limits["address"])]


def locked(request, email: str) -> bool:
    cache = caches["throttle"]
    return any(cache.get(f"lock:{kind}:{key}") for kind, key, _ in _subjects(request, email))


def failed(request, email: str) -> None:
    """Count a failed sign-in; lock the account or the address at its limit."""
    cache, limits = caches["throttle"], settings.LOGIN_THROTTLE
    for kind, key, limit in _subjects(request, email):
        counter = f"fail:{kind}:{key}"
        cache.add(counter, 0, limits["window"])  # the window starts at the first failure
        try:
            count = cache.incr(counter)
        except ValueError:  # the window ended between add and incr
            cache.set(counter, count := 1, limits["window"])
        if count >= limit:
            cache.set(f"lock:{kind}:{key}", True, limits["lockout"])
            cache.delete(counter)
            log.warning("sign-in locked for %d s: %d failures for %s %s (address %s)",
                        limits["lockout"], count, kind, email if kind == "account" else key,
                        client_address(request))


def succeeded(request, email: str) -> None:
    """A right password forgives the account's earlier typos (not the address's)."""
    kind, key, _ = _subjects(request, email)[0]
    caches["throttle"].delete(f"fail:{kind}:{key}")


def lockout_minutes() -> int:
    return max(1, round(settings.LOGIN_THROTTLE["lockout"] / 60))
