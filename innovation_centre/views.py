"""Project-level views: liveness and readiness, and the portal's error pages."""

import sys
from types import SimpleNamespace

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.utils import InterfaceError, OperationalError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_ratelimit.exceptions import Ratelimited

from courses.models import localized
from courses.seed import PROGRAMME
from courses.selectors import current_programme
from innovation_centre.celery import app as celery_app


def database_is_up():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - any failure means "down"
        return False


# A readiness probe must answer quickly: give up on the broker after about two seconds.
BROKER_TIMEOUTS = {"socket_connect_timeout": 2, "socket_timeout": 2, "max_retries": 0}


def broker_is_up():
    try:
        with celery_app.connection_for_write(transport_options=BROKER_TIMEOUTS) as conn:
            conn.ensure_connection(max_retries=0, timeout=2)
        return True
    except Exception:  # noqa: BLE001 - any failure means "down"
        return False


@never_cache
@require_GET
def healthz(request):
    checks = {"database": database_is_up(), "broker": broker_is_up()}
    body = {name: "ok" if up else "down" for name, up in checks.items()}
    body["status"] = "ok" if all(checks.values()) else "down"
    return JsonResponse(body, status=200 if all(checks.values()) else 503)


# Error pages: in the site's layout, in the language of the URL's prefix (Latvian without one),
# with the funder's acknowledgement. Wired in urls.py (handler400/403/404/500) and settings
# (CSRF_FAILURE_VIEW). django-ratelimit's refusals (Ratelimited, a PermissionDenied) reaching
# handler403 get the 429 page; RATELIMIT_VIEW may point at too_many_requests as well.

# How long a client should wait before trying again after a database outage (503).
DATABASE_RETRY_AFTER_SECONDS = 120


class SeededProgramme:
    """The programme's title and acknowledgement as seeded, for pages that must render when the
    database cannot be asked (the 500 and 503 pages): the funder's sentence never changes."""

    _fields = SimpleNamespace(**PROGRAMME)

    @property
    def title(self):
        return localized(self._fields, "title")

    @property
    def acknowledgement(self):
        return localized(self._fields, "acknowledgement")


def programme_or_seeded():
    """The programme from the database, or the seeded text when the database does not answer."""
    try:
        return current_programme() or SeededProgramme()
    except DatabaseError:
        return SeededProgramme()


def error_page_language(request):
    return translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE


def error_page(request, template_name, *, status, programme, context=None):
    """Render an error page without touching the database except through ``programme``: the
    layout's messages would load the session, so they are left out."""
    language = error_page_language(request)
    with translation.override(language):
        page_context = {
            "programme": programme,
            "messages": (),
            "status_code": status,
            **(context or {}),
        }
        response = render(request, template_name, page_context, status=status)
    response["Content-Language"] = language
    return response


def bad_request(request, exception=None):
    return error_page(request, "400.html", status=400, programme=programme_or_seeded())


def permission_denied(request, exception=None):
    if isinstance(exception, Ratelimited):  # django-ratelimit's refusal is a PermissionDenied
        return too_many_requests(request, exception)
    return error_page(request, "403.html", status=403, programme=programme_or_seeded())


def csrf_failure(request, reason=""):
    return error_page(
        request,
        "403.html",
        status=403,
        programme=programme_or_seeded(),
        context={"csrf_failed": True},
    )


def page_not_found(request, exception=None):
    return error_page(request, "404.html", status=404, programme=programme_or_seeded())


def too_many_requests(request, exception=None):
    return error_page(request, "429.html", status=429, programme=programme_or_seeded())


def request_too_large(request, *, limit):
    """413: the body is larger than the address accepts (innovation_centre/middleware.py)."""
    megabytes = limit / (1024 * 1024)
    size = f"{megabytes:.0f} MB" if megabytes >= 1 else f"{limit // 1024} KB"
    return error_page(
        request,
        "413.html",
        status=413,
        programme=programme_or_seeded(),
        context={"limit": size},
    )


def database_unavailable(request):
    response = error_page(request, "503.html", status=503, programme=SeededProgramme())
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def server_error(request):
    """handler500. Django calls it while handling the exception, so ``sys.exc_info()`` tells a
    database outage (wherever it surfaced: a view, a middleware, a template's context processor)
    from a fault in the code; the outage answers 503 "try again later"."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return database_unavailable(request)
    response = error_page(request, "500.html", status=500, programme=SeededProgramme())
    add_never_cache_headers(response)
    return response
