"""Lockout after repeated failed logins (django-axes), keyed on trustworthy client addresses.

Every login that goes through ``django.contrib.auth.authenticate`` (the admin's, the reports
area's) is counted. Three counts, each over the last ``LOGIN_COOLOFF_MINUTES``:

- **username + address** (``LOGIN_FAILURE_LIMIT``, 5): the ordinary lock. A person mistyping
  locks only themselves, at their own address.
- **address** (``LOGIN_FAILURE_LIMIT_PER_ADDRESS``, 20): one address trying many usernames.
- **username** (``LOGIN_FAILURE_LIMIT_PER_USERNAME``, 50): a botnet guessing one account from
  many addresses. Reaching it takes failures from at least ten addresses (each is stopped at
  5), so a single attacker cannot lock a colleague out; a forged ``X-Forwarded-For`` does not
  give them more addresses.

The address is participants.ratelimit's (``REMOTE_ADDR``, or the right-most untrusted
``X-Forwarded-For`` entry behind a ``TRUSTED_PROXIES`` proxy), so a forged header neither
escapes the count nor charges someone else's address. IPv6 addresses count per /64 network.
"""

import ipaddress
import logging
from math import ceil

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render

from participants.ratelimit import client_ip

logger = logging.getLogger(__name__)

LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address", "username"]
USERNAME_IN_LOG_LENGTH = 150


def client_address(request):
    """axes' ``AXES_CLIENT_IP_CALLABLE``: the rate limits' address, an IPv6 one as its /64."""
    address = ipaddress.ip_address(client_ip(request))
    if address.version == 6:
        network = ipaddress.ip_network(f"{address}/{settings.RATELIMIT_IPV6_MASK}", strict=False)
        address = network.network_address
    return str(address)


def tier_limits():
    """The failure limit of each entry of ``LOCKOUT_PARAMETERS``, in the same order."""
    return [
        settings.AXES_FAILURE_LIMIT,
        settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS,
        settings.LOGIN_FAILURE_LIMIT_PER_USERNAME,
    ]


class TieredLockoutHandler(AxesDatabaseHandler):
    """axes' database handler with a limit of its own for each lockout parameter.

    axes compares one number (``get_failures``) with one limit (``AXES_FAILURE_LIMIT``). Here
    that number is the username + address count while no count has reached its own limit, and
    at least ``AXES_FAILURE_LIMIT`` as soon as one has.
    """

    def get_failures(self, request, credentials=None):
        counts = [
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        limit = settings.AXES_FAILURE_LIMIT
        if any(count >= tier for count, tier in zip(counts, tier_limits(), strict=True)):
            return max(limit, counts[0])
        return counts[0]


def locked_out(request, original_response=None, credentials=None):
    """axes' ``AXES_LOCKOUT_CALLABLE``: the portal's own page, 429 with ``Retry-After``."""
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else 0
    response = render(
        request,
        "security/locked_out.html",
        {"retry_minutes": max(ceil(seconds / 60), 1), "status_code": 429},
        status=429,
    )
    if seconds:
        response["Retry-After"] = str(seconds)
    return response


def _address(request):
    if request is None:
        return "unknown"
    return getattr(request, "axes_ip_address", None) or client_address(request)


def _username(credentials):
    username = (credentials or {}).get("username")
    return repr(str(username)[:USERNAME_IN_LOG_LENGTH]) if username is not None else "(none)"


def log_login_failed(sender, credentials, request=None, **kwargs):
    """``user_login_failed``: a WARNING naming the username (escaped) and the client address."""
    path = request.path if request is not None else "-"
    logger.warning(
        "Login failed for username %s from %s (%s)",
        _username(credentials),
        _address(request),
        path,
    )


def log_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    """axes' ``user_locked_out``: a WARNING when a login is refused for too many failures."""
    logger.warning(
        "Login locked out for username %s from %s after repeated failures",
        _username({"username": username}),
        ip_address or _address(request),
    )
