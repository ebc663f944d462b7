"""The portal's URLs plus views that fail on purpose, for the error-page tests."""

from django.conf.urls.i18n import i18n_patterns
from django.core.exceptions import PermissionDenied
from django.urls import path
from django_ratelimit.exceptions import Ratelimited

from innovation_centre.urls import *  # noqa: F403 - the real URLs and handler400/403/404/500
from innovation_centre.urls import urlpatterns as portal_urlpatterns
from innovation_centre.views import too_many_requests


def forbidden(request):
    raise PermissionDenied


def rate_limited(request):
    raise Ratelimited


def broken(request):
    raise RuntimeError("a fault in the code")


urlpatterns = [
    *portal_urlpatterns,
    *i18n_patterns(
        path("test-errors/forbidden/", forbidden),
        path("test-errors/broken/", broken),
        path("test-errors/too-many/", too_many_requests),  # as django-ratelimit's RATELIMIT_VIEW
        path("test-errors/rate-limited/", rate_limited),
        prefix_default_language=True,
    ),
]
