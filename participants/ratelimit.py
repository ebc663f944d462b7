"""A per-address limit on the public forms' POSTs, counted in Django's cache.

The address is ``REMOTE_ADDR``. Behind a reverse proxy the proxy must set it to the visitor's
address (e.g. nginx ``real_ip`` or gunicorn's ``--forwarded-allow-ips``); ``X-Forwarded-For`` is
not trusted here because any client can send it. With several web processes the cache must be
shared (Redis), or each process counts on its own.
"""

from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

DEFAULT_LIMIT = 10
DEFAULT_WINDOW_SECONDS = 600


def rate_limit_settings():
    limit = getattr(settings, "REGISTRATION_RATE_LIMIT", DEFAULT_LIMIT)
    window = getattr(settings, "REGISTRATION_RATE_LIMIT_WINDOW", DEFAULT_WINDOW_SECONDS)
    return limit, window


def client_address(request):
    return request.META.get("REMOTE_ADDR") or "unknown"


def count_post(request) -> int:
    """Count this POST in the address's current window; returns the posts so far."""
    _limit, window = rate_limit_settings()
    key = f"participants:posts:{client_address(request)}"
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1


def rate_limited(view):
    """Answer a friendly 429 page once an address has posted too often; GETs are never limited."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            limit, window = rate_limit_settings()
            if count_post(request) > limit:
                response = render(
                    request,
                    "participants/too_many_requests.html",
                    {"retry_minutes": max(window // 60, 1)},
                    status=429,
                )
                response["Retry-After"] = str(window)
                return response
        return view(request, *args, **kwargs)

    return wrapper
