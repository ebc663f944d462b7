"""Zoom report imports in the admin: upload, preview (with staff's matches), save; the list of
imports done; and the names staff matched by hand. Imported by ``participants/admin.py``.

The uploaded file's text is kept in the ``ZoomImport`` row from the upload to the save, so the
save reads what the server stored, never a copy the browser sends back.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from courses.admin_input import ValidSelectionMixin
from participants.attendance.zoom_forms import ZoomMatchForm, ZoomUploadForm
from participants.attendance.zoom_import import (
    confirmed_participants,
    zoom_import_plan,
    zoom_import_preview,
    zoom_import_report,
    zoom_import_save,
)
from participants.attendance.zoom_models import ZoomAlias, ZoomImport

IMPORT_FIELDS = (
    "session",
    "status",
    "file_name",
    "time_zone",
    "layout",
    "imported_by",
    "created_at",
    "saved_at",
    "rows_count",
    "matched_count",
    "present_count",
    "absent_count",
    "kept_staff_count",
    "removed_count",
    "ignored_count",
    "ignored_list",
    "warnings_list",
    "file_sha256",
)


@admin.register(ZoomImport)
class ZoomImportAdmin(ValidSelectionMixin, admin.ModelAdmin):
    list_display = (
        "session",
        "file_name",
        "status",
        "imported_by",
        "saved_at",
        "matched_count",
        "present_count",
        "absent_count",
        "ignored_count",
    )
    list_filter = ("status", "session__stage")
    list_select_related = ("session", "imported_by")
    date_hierarchy = "created_at"
    fields = IMPORT_FIELDS
    readonly_fields = IMPORT_FIELDS

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("names not matched (ignored)"))
    def ignored_list(self, zoom_import):
        if not zoom_import.ignored:
            return "–"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} {} – {}</li>",
                (
                    (row["name"], f"<{row['email']}>" if row["email"] else "", row["minutes"])
                    for row in zoom_import.ignored
                ),
            ),
        )

    @admin.display(description=_("warnings"))
    def warnings_list(self, zoom_import):
        if not zoom_import.warnings:
            return "–"
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li>{}</li>", ((w,) for w in zoom_import.warnings)),
        )

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [
            path("<int:pk>/preview/", preview, name="participants_zoomimport_preview"),
            *super().get_urls(),
        ]

    # --- Upload ---

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = ZoomUploadForm(request.POST, request.FILES)
            if form.is_valid():
                zoom_import = self._preview(request, form)
                if zoom_import is not None:
                    return HttpResponseRedirect(
                        reverse("admin:participants_zoomimport_preview", args=[zoom_import.pk])
                    )
        else:
            form = ZoomUploadForm(initial=self._initial(request))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import Zoom report"),
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "admin/participants/zoomimport/upload.html", context)

    def _initial(self, request):
        session = request.GET.get("session", "")
        return {"session": session} if session.isdigit() and len(session) < 12 else {}

    def _preview(self, request, form):
        try:
            zoom_import, _plan = zoom_import_preview(
                session=form.cleaned_data["session"],
                csv_file=form.cleaned_data["report"],
                time_zone=form.cleaned_data["time_zone"],
                imported_by=request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("report", message)
            return None
        return zoom_import

    # --- Preview and save ---

    def preview_view(self, request, pk):
        if not self.has_add_permission(request):
            raise PermissionDenied
        zoom_import = get_object_or_404(
            ZoomImport.objects.select_related("session__stage__programme"),
            pk=pk,
            status=ZoomImport.Status.PREVIEW,
        )
        session = zoom_import.session
        try:
            plan = zoom_import_plan(session=session, report=zoom_import_report(zoom_import))
        except ValidationError as error:  # the session was moved since the upload
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(reverse("admin:participants_zoomimport_add"))
        participants = confirmed_participants(session)
        form = ZoomMatchForm(
            request.POST if request.method == "POST" else None,
            unmatched=plan.unmatched,
            participants=participants,
        )
        if request.method == "POST" and form.is_valid():
            response = self._save(request, zoom_import, form)
            if response is not None:
                return response
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import Zoom report: check and save"),
            "opts": self.model._meta,
            "zoom_import": zoom_import,
            "session": session,
            "plan": plan,
            "form": form,
            "share_percent": formats.number_format(plan.share * 100, 0),
            "session_start": timezone.localtime(session.starts_at),
            "session_end": timezone.localtime(session.ends_at),
        }
        return TemplateResponse(request, "admin/participants/zoomimport/preview.html", context)

    def _save(self, request, zoom_import, form):
        manual, remember = form.matches()
        try:
            outcome = zoom_import_save(
                zoom_import=zoom_import,
                manual_matches=manual,
                remember=remember,
                imported_by=request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return None
        if outcome.already_imported:
            messages.info(
                request,
                _("This file was already imported on %(when)s; nothing changed.")
                % {
                    "when": formats.date_format(
                        timezone.localtime(outcome.already_imported.saved_at),
                        "SHORT_DATETIME_FORMAT",
                    )
                },
            )
        else:
            messages.success(
                request,
                _(
                    "Zoom report saved: %(created)d new, %(updated)d changed, %(removed)d "
                    "removed; %(ignored)d rows ignored."
                )
                % {
                    "created": outcome.created,
                    "updated": outcome.updated,
                    "removed": outcome.removed,
                    "ignored": outcome.zoom_import.ignored_count,
                },
            )
        return HttpResponseRedirect(self._after_save_url(request, zoom_import.session_id))

    def _after_save_url(self, request, session_id):
        if request.user.has_perm("participants.view_attendance"):
            return reverse("admin:participants_sessionattendance_change", args=[session_id])
        return reverse("admin:participants_zoomimport_changelist")


@admin.register(ZoomAlias)
class ZoomAliasAdmin(ValidSelectionMixin, admin.ModelAdmin):
    """Names staff matched by hand; deleting one stops later imports from matching it."""

    list_display = ("label", "participant", "kind", "created_by", "created_at")
    list_filter = ("kind",)
    list_select_related = ("participant", "created_by")
    search_fields = ("label", "key", "participant__last_name", "participant__email")
    fields = ("participant", "kind", "label", "key", "created_by", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
