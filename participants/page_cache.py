"""The public programme and stage pages' shared parts, kept in the shared cache.

Rendering these pages from the database costs tens of milliseconds (the registration form alone
about half of it), and every visitor in one language sees the same programme, stage facts,
sessions and empty form. Those parts are cached (``CACHE_URL``: Redis in production) by
language, with the pages' *version* they were built for; the rest of each page is rendered per
request: the CSRF tokens, messages, the language switch, a submitted form with its errors.
POSTs never use the cache.

The version is a random token kept in the cache. It is deleted, after the commit, whenever
something the pages show changes (a programme, stage or session saved or deleted, a seat taken
or freed), and after ``migrate`` (a deploy may bring new templates); the next request starts a
new one, so old parts are never read again and expire by themselves. Registration opening or
closing and a stage's last session ending change the pages without any write: the version
expires at the next such moment. Data written around the ORM (bulk loads) call ``invalidate``.
If the cache cannot be reached the pages are rendered from the database, as without it.

Most visits are a plain GET by someone without a session or messages: for them the whole page is
kept (``public_page``), rendered once with a random placeholder where the CSRF token goes; each
such visit reads the version and the page in one round trip (only the version when this process
holds that version's page already) and gets the page with its own token put in. Anything else
(a query string, a session, messages, a POST) is rendered per request from the cached parts.
"""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.db.models import Min, Q
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from courses.models import Stage

logger = logging.getLogger(__name__)
VERSION_KEY = "public-pages:version"
# The longest a version (and so a cached part) lives; freshness comes from the version.
MAX_SECONDS = 60 * 60


def new_version() -> str:
    token = secrets.token_hex(8)
    cache.set(VERSION_KEY, token, seconds_until_next_moment())
    return token


def seconds_until_next_moment(now=None) -> int:
    """Seconds until the next registration opening or closing or session end (what turns a
    stage's registration open, closed or past), at most ``MAX_SECONDS``, at least 1."""
    now = now or timezone.now()
    moments = Stage.objects.aggregate(
        opens=Min("registration_opens_at", filter=Q(registration_opens_at__gt=now)),
        closes=Min("registration_closes_at", filter=Q(registration_closes_at__gt=now)),
        ends=Min("sessions__ends_at", filter=Q(sessions__ends_at__gt=now)),
    )
    soonest = min((m for m in moments.values() if m), default=now + timedelta(seconds=MAX_SECONDS))
    return max(1, min(MAX_SECONDS, int((soonest - now).total_seconds()) + 1))


def shared_parts(name, build):
    """What ``build()`` returns (a dict), from the cache when it was built for this version in
    this language. ``build`` returns None for a page that does not exist; that is not cached.

    The version and the parts are read in one round trip; the parts are kept with the version
    they were built for, so parts built from data changed meanwhile are never read.
    """
    key = f"public-pages:{get_language()}:{name}"
    try:
        found = cache.get_many([VERSION_KEY, key])
    except Exception:  # the cache server is down: the page still answers, from the database
        logger.exception("Public page cache unavailable")
        return build()
    version = found.get(VERSION_KEY)
    built_for, parts = found.get(key, (None, None))
    if version is not None and built_for == version:
        return parts
    version = version or new_version()
    parts = build()
    if parts is not None:
        cache.set(key, (version, parts), MAX_SECONDS)
    return parts


def public_page(request, name, build, render_page):
    """The response to a GET of the public page ``name``.

    ``build()`` returns the page's shared parts (a dict; None: no such page, 404);
    ``render_page(request, context)`` renders them. A plain visit (``whole_page_allowed``) gets
    the whole page from the cache when it was kept for this version, this language and this very
    path, with its own CSRF token put in place of the page's placeholder; ``get_token`` makes
    the CSRF middleware send the token's cookie as a rendering would. Any other request is
    rendered from the cached parts (``shared_parts``). Only the body is kept: the middleware
    adds the same headers to both, and ``render_page`` must set none of its own.
    """
    if not whole_page_allowed(request):
        return render_page(request, _parts_or_404(shared_parts(name, build)))
    key = f"public-pages:page:{get_language()}:{request.path}"
    try:
        version, kept = _version_and_page(key)
    except Exception:  # the cache server is down: the page still answers, from the database
        logger.exception("Public page cache unavailable")
        return render_page(request, _parts_or_404(build()))
    built_for, placeholder, body = kept or (None, None, None)
    if version is not None and built_for == version:
        _hold(key, kept)
        return HttpResponse(body.replace(placeholder, get_token(request).encode()))
    version = version or new_version()
    parts = _parts_or_404(shared_parts(name, build))
    # Random for each page kept, so nothing on the page can contain it by chance or design.
    placeholder = f"csrf-placeholder-{secrets.token_hex(16)}"
    response = render_page(request, {**parts, "csrf_token": placeholder})
    body = response.content
    if response.status_code == 200 and request.path == canonical_path(request):
        try:
            cache.set(key, (version, placeholder.encode(), body), MAX_SECONDS)
            _hold(key, (version, placeholder.encode(), body))
        except Exception:  # the page was rendered; it is only not kept
            logger.exception("Public page cache unavailable")
    response.content = body.replace(placeholder.encode(), get_token(request).encode())
    return response


# Pages this process last served, with the version each was kept for (``_version_and_page``);
# at most HELD_PAGES_MAX (a programme's stages in two languages fit many times over).
_held_pages = {}
HELD_PAGES_MAX = 1000


def _version_and_page(key):
    """The pages' version and the page kept under ``key`` (version, placeholder, body), in one
    round trip; when this process holds the page for the current version, only the version is
    read (a few bytes instead of the page's 15 kB)."""
    held = _held_pages.get(key)
    if held is not None:
        version = cache.get(VERSION_KEY)
        if version is not None and held[0] == version:
            return version, held
    found = cache.get_many([VERSION_KEY, key])
    return found.get(VERSION_KEY), found.get(key)


def _hold(key, entry):
    if key not in _held_pages and len(_held_pages) >= HELD_PAGES_MAX:
        _held_pages.clear()
    _held_pages[key] = entry


def canonical_path(request) -> str:
    """The page's own address (``/lv/stages/7/`` for ``/lv/stages/007/``): only that one is
    kept, so made-up variants of an address cannot fill the cache."""
    match = request.resolver_match
    return reverse(match.view_name, args=match.args, kwargs=match.kwargs)


def whole_page_allowed(request) -> bool:
    """Whether ``request`` sees exactly what every other visitor in its language sees but its
    CSRF token: a GET without a query string (the language switch repeats the address), from
    someone without a session (no login, nothing kept for them) and without messages waiting
    (kept in a cookie or the session)."""
    return (
        request.method == "GET"
        and not request.META.get("QUERY_STRING")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def _parts_or_404(parts):
    if parts is None:
        raise Http404
    return parts


def invalidate():
    """The pages change with the data being committed: drop the version once it is."""
    transaction.on_commit(drop_version)


def drop_version():
    try:
        cache.delete(VERSION_KEY)
    except Exception:  # nothing is cached while the cache server is down
        logger.exception("Public page cache unavailable")
