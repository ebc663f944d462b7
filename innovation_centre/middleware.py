"""Response headers and request limits that hold for every page, present and future.

Rules go by URL prefix, not by view, so that a page added later is covered without anyone
remembering a decorator:

* the Content Security Policy (django-csp, ``CONTENT_SECURITY_POLICY`` in settings): only the
  admin runs scripts, its own from ``static/``; everywhere else ``script-src 'none'``;
* ``Cache-Control: no-store`` on every page that shows personal data;
* a request body larger than its path allows is refused with 413 before it is read.
"""

import re

from csp.constants import NONE
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.utils.cache import patch_cache_control

from innovation_centre.views import request_too_large

ADMIN_PREFIX = "/admin/"


class PortalCSPMiddleware(CSPMiddleware):
    """django-csp's middleware; outside the admin no script may run at all.

    The public pages, the manage pages and the reports area run no JavaScript, so anything
    injected into them (a participant's name that escaped escaping) cannot run even if it points
    at a script the portal serves. Django's admin needs its own scripts (``script-src 'self'``).
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not request.path_info.startswith(ADMIN_PREFIX):
            parts.replace = {**(parts.replace or {}), "script-src": [NONE]}
        return parts


def personal_data_path():
    """The addresses of pages that show a person's data: the admin (names, e-mails, exports),
    and under each language prefix the personal links (confirm, manage with its calendar,
    cancellation and data export), the certificates (the holder's name, the PDF) and the
    reports area."""
    languages = "|".join(re.escape(code) for code, _name in settings.LANGUAGES)
    public = "|".join(("confirm", "manage", "certificates", "reports"))
    return re.compile(rf"^(?:{re.escape(ADMIN_PREFIX)}|/(?:{languages})/(?:{public})/)")


def personal_data_not_stored(get_response):
    """``Cache-Control: no-store`` on personal pages: no browser history, back button on a shared
    computer, or proxy keeps a copy of them."""
    pattern = personal_data_path()

    def middleware(request):
        response = get_response(request)
        if pattern.match(request.path_info):
            patch_cache_control(response, no_store=True)
        return response

    return middleware


def request_body_limit(path: str) -> int:
    """The largest body ``path`` accepts: the longest matching prefix of
    ``REQUEST_BODY_MAX_BYTES`` wins."""
    limits = settings.REQUEST_BODY_MAX_BYTES
    prefix = max((p for p in limits if path.startswith(p)), key=len, default="/")
    return limits[prefix]


def request_body_size_limit(get_response):
    """Refuse a request whose declared ``Content-Length`` is above its path's limit (413, in the
    site's layout) without reading a byte of its body: a 1 GB upload to a public form costs the
    server nothing. Bodies without a length are not read by Django at all, and the fields Django
    does read are capped by ``DATA_UPLOAD_MAX_MEMORY_SIZE``.

    Keep this before anything that reads ``request.POST`` or ``request.body`` in its own call
    (Django's own middleware reads the body only in ``process_view``, after every ``__call__``).
    """

    def middleware(request):
        limit = request_body_limit(request.path_info)
        if declared_length(request) > limit:
            return request_too_large(request, limit=limit)
        return get_response(request)

    return middleware


def declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # as Django reads it: an unreadable length means an empty body
