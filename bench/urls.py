"""The portal's URLs plus ``/bench/minimal/``: the least a Django view can do on this stack.

It passes through the same middleware as every portal page, so a page's rate divided by this
view's rate is how close the page comes to what Django on this gunicorn can serve at best.
"""

from django.http import HttpResponse
from django.urls import path

from innovation_centre.urls import *  # noqa: F403
from innovation_centre.urls import urlpatterns as portal_urlpatterns


def minimal(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/minimal/", minimal), *portal_urlpatterns]
