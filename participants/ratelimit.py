"""Limits per client address, counted by django-ratelimit in the shared cache (``CACHES``).

Two limits, counted apart:

- **New registrations** (``REGISTRATION_RATE_LIMITS``, default 30 per 10 minutes and 60 per
  hour per address). Only a valid form that creates a registration counts; invalid forms, a
  person registering again, confirmations, edits and cancellations do not. A school whose 20
  teachers register together from one address gets through; a script is stopped at 30.
  There is no per-minute limit: teachers sitting together in one room may well register
  within the same minute, and a script reaches the 30 in seconds anyway.
- **Personal-link POSTs** (``PERSONAL_LINK_RATE_LIMIT``, default 100 per 10 minutes): confirm,
  save details, cancel. They need a valid signed link, so this only bounds floods.

The address is the connection's (``REMOTE_ADDR``) unless that is a proxy listed in
``TRUSTED_PROXIES``: then it is the right-most ``X-Forwarded-For`` address that is not a
trusted proxy. Whatever a client writes further left is ignored, so a forged header neither
escapes the limit nor charges someone else. IPv6 addresses count per /64 (django-ratelimit's
``RATELIMIT_IPV6_MASK``): one machine usually holds a whole /64.

If the cache cannot be reached, registration goes on unlimited (and the failure is logged):
losing a teacher's registration would be worse than a few minutes without the limit.
"""

import ipaddress
import logging
from functools import lru_cache, wraps

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)

REGISTRATION_GROUP = "participants.registration"
PERSONAL_LINK_GROUP = "participants.personal_link_post"
LINK_REQUEST_GROUP = "participants.link_request"
UNKNOWN_ADDRESS = "0.0.0.0"  # noqa: S104 - a bucket for connections without an address


# --- the client's address ---------------------------------------------------------------------


@lru_cache(maxsize=8)
def _networks(entries):
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def trusted_networks():
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))


def parse_address(text):
    """An IP address from a header entry ("1.2.3.4", "1.2.3.4:5678", "[::1]:80"), or None."""
    text = (text or "").strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    return address.ipv4_mapped or address if address.version == 6 else address


def _is_trusted(address, networks):
    return any(address in network for network in networks)


def client_ip(request):
    """The address to count a request against (django-ratelimit's ``RATELIMIT_IP_META_KEY``)."""
    peer = parse_address(request.META.get("REMOTE_ADDR"))
    if peer is None:
        return UNKNOWN_ADDRESS
    networks = trusted_networks()
    if not _is_trusted(peer, networks):
        return str(peer)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    client = peer
    for entry in reversed(forwarded.split(",")):
        address = parse_address(entry)
        if address is None:
            break  # garbage where a trusted proxy should have written an address
        client = address
        if not _is_trusted(address, networks):
            break
    return str(client)


# --- counting ---------------------------------------------------------------------------------


def _usages(request, *, group, rates, increment):
    """django-ratelimit's usage per rate; empty when the cache cannot be reached (fail open)."""
    try:
        usages = [
            get_usage(request, group=group, key="ip", rate=rate, increment=increment)
            for rate in rates
        ]
    except Exception:  # the cache server is down: never refuse, never answer 500
        logger.exception("Rate limit cache unavailable; not limiting %s", group)
        return []
    return [usage for usage in usages if usage is not None]


def _refusal(usages, *, full):
    """Seconds to wait if any limit is reached (``full``) or exceeded, else None."""
    over = [
        usage
        for usage in usages
        if usage["count"] > usage["limit"] or (full and usage["count"] >= usage["limit"])
    ]
    if not over:
        return None
    return max(max(usage["time_left"], 1) for usage in over)


def registration_count(request):
    """Count a new registration from this address; seconds to wait if it is one too many.

    Counted before the registration is written (and refused when over the limit), so that
    concurrent requests cannot all pass a check made before any of them was counted.
    """
    rates = settings.REGISTRATION_RATE_LIMITS
    waiting = _refusal(
        _usages(request, group=REGISTRATION_GROUP, rates=rates, increment=False), full=True
    )
    if waiting is not None:
        return waiting  # already at the limit: refuse without counting the refusal
    return _refusal(
        _usages(request, group=REGISTRATION_GROUP, rates=rates, increment=True), full=False
    )


def link_request_count(request):
    """Count a "lost your link?" request from this address; seconds to wait if one too many.

    Every valid form counts, known address or not, so the limit tells nothing about addresses.
    """
    rates = [getattr(settings, "LINK_REQUEST_RATE_LIMIT", "10/h")]
    usages = _usages(request, group=LINK_REQUEST_GROUP, rates=rates, increment=True)
    return _refusal(usages, full=False)


def too_many_requests(request, template, context, retry_after):
    response = render(
        request,
        template,
        {**context, "retry_minutes": max(round(retry_after / 60), 1)},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def personal_link_posts_limited(view):
    """Refuse a flood of POSTs to the personal links with a 429 page; GETs are never counted."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            rates = [settings.PERSONAL_LINK_RATE_LIMIT]
            usages = _usages(request, group=PERSONAL_LINK_GROUP, rates=rates, increment=True)
            waiting = _refusal(usages, full=False)
            if waiting is not None:
                return too_many_requests(
                    request, "participants/too_many_requests.html", {}, waiting
                )
        return view(request, *args, **kwargs)

    return wrapper
