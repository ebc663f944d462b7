from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from innovation_centre.views import healthz

admin.site.site_header = _("Innovation Centre portal administration")
admin.site.site_title = _("Innovation Centre portal")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler400 = "innovation_centre.views.bad_request"
handler403 = "innovation_centre.views.permission_denied"
handler404 = "innovation_centre.views.page_not_found"
handler500 = "innovation_centre.views.server_error"

urlpatterns += i18n_patterns(
    path("certificates/", include("participants.certificates.urls")),
    path("security/", include("innovation_centre.security.urls")),
    path("reports/", include("reporting.urls")),
    path("", include("participants.urls")),
    prefix_default_language=True,
)
