"""An "Export to CSV (current filters)" download beside a model admin's change list."""

from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.urls import path, reverse

from participants.privacy.services import export_record


class ChangeListCsvExportMixin:
    """The rows the change list shows, with its filters and search, streamed as CSV and written
    to the export log first. The route is ``admin:<app>_<model>_export`` (``.../export.csv``);
    the change list gets its address as ``export_url``.

    A model admin sets ``export_kind`` (``ExportRecord.Kind``) and ``export_all_text`` (the log's
    words for an unfiltered list) and defines ``export_lines(queryset)`` and
    ``export_filename()``.
    """

    export_kind = None
    export_all_text = ""

    def export_lines(self, queryset):
        raise NotImplementedError

    def export_filename(self) -> str:
        raise NotImplementedError

    def _admin_route(self, view):
        meta = self.model._meta
        return f"{meta.app_label}_{meta.model_name}_{view}"

    def get_urls(self):
        export = self.admin_site.admin_view(self.export_view)
        return [path("export.csv", export, name=self._admin_route("export")), *super().get_urls()]

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            # A hand-edited filter in the address: back to the list, which explains it.
            return HttpResponseRedirect(reverse(f"admin:{self._admin_route('changelist')}"))
        rows = changelist.get_queryset(request)
        export_record(
            user=request.user,
            kind=self.export_kind,
            description=request.GET.urlencode() or str(self.export_all_text),
            rows=rows.count(),
        )
        return csv_download(self.export_lines(rows), self.export_filename())

    def changelist_view(self, request, extra_context=None):
        export_url = reverse(f"admin:{self._admin_route('export')}")
        return super().changelist_view(request, {**(extra_context or {}), "export_url": export_url})


def csv_download(lines, filename):
    """A streamed CSV file download."""
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
