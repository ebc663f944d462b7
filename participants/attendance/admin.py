"""Attendance in the admin: the register of a session (one sheet, saved in one go), the list
of registers with how many are marked, and every row with its history (who, when, before and
after). Imported by ``participants/admin.py``."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from courses.admin_input import ValidSelectionMixin
from courses.models import Stage
from participants.admin_csv import ChangeListCsvExportMixin
from participants.attendance import exports, selectors, services
from participants.attendance.forms import RegisterFormSet
from participants.attendance.models import Attendance, SessionAttendance
from participants.privacy.models import ExportRecord
from participants.privacy.services import export_record

CHANGE_ATTENDANCE = "participants.change_attendance"
VIEW_ATTENDANCE = "participants.view_attendance"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@admin.register(Attendance)
class AttendanceAdmin(ChangeListCsvExportMixin, ValidSelectionMixin, SimpleHistoryAdmin):
    """Every attendance row, read-only: marks are entered in a session's register (or by the
    Zoom import), so that each change goes through one service; the history shows them all."""

    list_display = (
        "participant",
        "session",
        "status",
        "minutes_present",
        "source",
        "recorded_by",
        "recorded_at",
    )
    list_filter = ("status", "source", "session__stage")
    list_select_related = ("participant", "session", "recorded_by")
    search_fields = ("participant__email", "participant__last_name", "participant__first_name")
    date_hierarchy = "recorded_at"
    history_list_display = ("status", "minutes_present", "source")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # Export of the whole filtered list (ChangeListCsvExportMixin)
    export_kind = ExportRecord.Kind.ATTENDANCE_CSV
    export_all_text = _("all attendance rows")

    def export_lines(self, queryset):
        return exports.attendance_csv_lines(queryset)

    def export_filename(self):
        return exports.attendance_csv_filename()


@admin.register(SessionAttendance)
class SessionAttendanceAdmin(ValidSelectionMixin, admin.ModelAdmin):
    """The sessions with how many of their stage's confirmed participants are marked; a
    session's page is its register."""

    list_display = ("__str__", "stage", "marked", "academic_hours")
    list_filter = ("stage",)
    list_select_related = ("stage",)
    search_fields = ("topic_lv", "topic_en", "trainer")
    date_hierarchy = "starts_at"
    ordering = ("starts_at",)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(VIEW_ATTENDANCE) or self.has_change_permission(request)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(CHANGE_ATTENDANCE)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return selectors.sessions_with_marks(super().get_queryset(request))

    @admin.display(description=_("marked"))
    def marked(self, session):
        return f"{session.marked_count}/{session.expected_count}"

    def get_urls(self):
        matrix = self.admin_site.admin_view(self.matrix_view)
        return [
            path(
                "stage/<int:stage_id>/matrix.xlsx",
                matrix,
                name="participants_stage_attendance_matrix",
            ),
            *super().get_urls(),
        ]

    def matrix_view(self, request, stage_id):
        """The stage's attendance matrix (people x sessions, with totals) as XLSX."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        stage = get_object_or_404(Stage.objects.select_related("programme"), pk=stage_id)
        matrix = selectors.stage_attendance_matrix(stage=stage)
        export_record(
            user=request.user,
            kind=ExportRecord.Kind.ATTENDANCE_XLSX,
            description=str(stage),
            rows=len(matrix.rows),
        )
        workbook = exports.attendance_matrix_xlsx(matrix)
        response = HttpResponse(workbook, content_type=XLSX)
        filename = exports.matrix_filename(stage)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self.register_view(request, object_id)

    def register_view(self, request, object_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        session = get_object_or_404(
            SessionAttendance.objects.select_related("stage__programme"),
            pk=object_id if str(object_id).isdigit() else None,
        )
        can_change = self.has_change_permission(request)
        if request.method == "POST" and not can_change:
            raise PermissionDenied
        sheet = selectors.register_sheet(session=session)
        full_minutes = services.session_full_minutes(session)
        formset = _formset(sheet, full_minutes, initial=_saved_marks(sheet))
        if request.method == "POST" and "all_present" in request.POST:
            formset = _formset(sheet, full_minutes, initial=_all_present(sheet, full_minutes))
            messages.info(
                request, _("Everyone is marked present for the whole session: check and save.")
            )
        elif request.method == "POST":
            posted = _formset(sheet, full_minutes, data=request.POST)
            if posted.is_valid() and self._save(request, session, posted) is not None:
                return HttpResponseRedirect(request.path)
            if posted.non_form_errors():  # tampered or out of date: a fresh sheet
                for text in posted.non_form_errors():
                    messages.error(request, text)
            else:
                formset = posted
        return self._render(request, session, sheet, formset, can_change, full_minutes)

    def _save(self, request, session, formset):
        try:
            saved = services.attendance_record_register(
                session=session, entries=formset.cleaned_data, recorded_by=request.user
            )
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
            return None
        text = ngettext(
            "The register is saved: %(count)d mark changed.",
            "The register is saved: %(count)d marks changed.",
            len(saved),
        )
        messages.success(request, text % {"count": len(saved)})
        return saved

    def _render(self, request, session, sheet, formset, can_change, full_minutes):
        context = {
            **self.admin_site.each_context(request),
            "title": _("Attendance register: %(session)s") % {"session": session},
            "opts": self.model._meta,
            "session": session,
            "rows": _rows(sheet, formset),
            "formset": formset,
            "can_change": can_change,
            "full_minutes": full_minutes,
            "changes": selectors.session_attendance_changes(session=session),
            "session_admin_url": reverse("admin:courses_session_change", args=[session.pk]),
        }
        return TemplateResponse(request, "admin/participants/attendance/register.html", context)


def _formset(sheet, full_minutes, *, data=None, initial=None):
    return RegisterFormSet(
        data,
        initial=initial,
        allowed_ids={person.pk for person, _row in sheet},
        form_kwargs={"full_minutes": full_minutes},
    )


def _saved_marks(sheet):
    return [
        {
            "participant": person.pk,
            "status": row.status if row else "",
            "minutes_present": row.minutes_present if row else None,
        }
        for person, row in sheet
    ]


def _all_present(sheet, full_minutes):
    return [
        {"participant": person.pk, "status": "present", "minutes_present": full_minutes}
        for person, _row in sheet
    ]


def _rows(sheet, formset):
    """(participant, attendance, form) for each form, matched by the form's participant id."""
    by_id = {person.pk: (person, row) for person, row in sheet}
    rows = []
    for form in formset.forms:
        value = form["participant"].value()
        person_row = by_id.get(int(value)) if str(value).isdigit() else None
        if person_row:
            rows.append((*person_row, form))
    return rows
