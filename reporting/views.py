"""The coordinators' reports area: key figures and charts, the progress report for a chosen
period in three formats, and the reports submitted to the funder.

Function views, thin: check access, read the form, call a service, render or send a file.
Only members of the group "Coordinators" (and superusers) get in: anyone else signed in gets
403, and an anonymous visitor the login page.
"""

from datetime import date
from functools import wraps

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from courses.selectors import current_programme
from reporting.charts import report_charts
from reporting.forms import DownloadForm, PeriodForm
from reporting.groups import COORDINATORS
from reporting.report.build import progress_report_build
from reporting.report.files import FORMATS, report_file, report_filename
from reporting.report.formatting import cell_text
from reporting.report.models import SubmittedReport
from reporting.report.period import period_resolve, programme_dates
from reporting.report.services import report_submit, user_label
from reporting.report.snapshot import report_differences, report_from_json
from reporting.report.tables import clipped_note, report_sections


def is_coordinator(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.groups.filter(name=COORDINATORS).exists()


def coordinator_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("reporting:login"))
        if not is_coordinator(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


class LoginView(auth_views.LoginView):
    template_name = "reporting/login.html"
    next_page = reverse_lazy("reporting:dashboard")


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("reporting:login")


def _programme_or_404():
    programme = current_programme()
    if programme is None:
        raise Http404
    return programme


def _default_period(programme):
    """From the programme's first day to today (or to its end, once it is over)."""
    start, end = programme_dates(programme=programme)
    today = timezone.localdate()
    last = min(today, end)
    first = start or date(last.year, 1, 1)
    return {"start": min(first, last), "end": last}


def _dashboard(request, programme, form, *, status=200):
    """The dashboard for the form's period (or the default one when the form is not valid)."""
    period = form.period if form.is_bound and form.is_valid() else None
    if period is None:
        initial = _default_period(programme)
        try:
            period = period_resolve(programme=programme, **initial)
        except ValidationError:
            period = None
    report = (
        progress_report_build(
            programme=programme, period=period, generated_by=user_label(request.user)
        )
        if period
        else None
    )
    context = {
        "programme": programme,
        "form": form,
        "period": period,
        "report": report,
        "clipped_note": clipped_note(report.cover) if report and period.clipped else "",
        "charts": report_charts(report) if report else [],
        "sections": _display_sections(report_sections(report)) if report else [],
        "submitted": SubmittedReport.objects.filter(programme=programme).select_related(
            "submitted_by"
        ),
        "already_submitted": bool(period)
        and SubmittedReport.objects.filter(
            programme=programme, period_start=period.start, period_end=period.end
        ).exists(),
        "formats": list(FORMATS),
    }
    return render(request, "reporting/dashboard.html", context, status=status)


def _display_sections(sections):
    shown = []
    for section in sections:
        rows = []
        last_plain = len(section.rows) - section.total_rows
        for row_index, row in enumerate(section.rows):
            cells = []
            for column_index, value in enumerate(row):
                kind = section.kind(row_index, column_index, value)
                cells.append((cell_text(kind, value), kind in ("money", "number", "percent")))
            rows.append({"cells": cells, "total": row_index >= last_plain})
        shown.append({"section": section, "rows": rows})
    return shown


@require_safe
@coordinator_required
def dashboard(request):
    programme = _programme_or_404()
    data = request.GET if "start" in request.GET or "end" in request.GET else None
    form = PeriodForm(data=data, programme=programme, initial=_default_period(programme))
    return _dashboard(request, programme, form, status=400 if data and not form.is_valid() else 200)


def _attachment(content: bytes, filename: str, file_format: str) -> HttpResponse:
    response = HttpResponse(content, content_type=FORMATS[file_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
@coordinator_required
def download(request):
    programme = _programme_or_404()
    form = DownloadForm(data=request.GET, programme=programme)
    if not form.is_valid():
        return _dashboard(request, programme, form, status=400)
    file_format = form.cleaned_data["format"]
    report = progress_report_build(
        programme=programme, period=form.period, generated_by=user_label(request.user)
    )
    content = report_file(report, file_format)
    return _attachment(content, report_filename(report, file_format), file_format)


@require_POST
@coordinator_required
def submit(request):
    programme = _programme_or_404()
    form = PeriodForm(data=request.POST, programme=programme)
    if not form.is_valid():
        return _dashboard(request, programme, form, status=400)
    try:
        submitted = report_submit(programme=programme, period=form.period, user=request.user)
    except ValidationError as error:
        form.add_error(None, error)
        return _dashboard(request, programme, form, status=400)
    messages.success(
        request,
        _("The report for %(period)s is submitted: its figures are frozen as they are now.")
        % {"period": str(submitted)},
    )
    return redirect("reporting:submitted_detail", pk=submitted.pk)


def _submitted(pk):
    return get_object_or_404(
        SubmittedReport.objects.select_related("programme", "submitted_by"), pk=pk
    )


@require_safe
@coordinator_required
def submitted_detail(request, pk):
    submitted = _submitted(pk)
    frozen = report_from_json(submitted.snapshot)
    programme = submitted.programme
    period = period_resolve(
        programme=programme, start=submitted.period_start, end=submitted.period_end
    )
    live = progress_report_build(
        programme=programme, period=period, generated_by=user_label(request.user)
    )
    context = {
        "programme": programme,
        "submitted": submitted,
        "report": frozen,
        "sections": _display_sections(report_sections(frozen)),
        "differences": report_differences(submitted=frozen, live=live),
        "formats": list(FORMATS),
    }
    return render(request, "reporting/submitted_detail.html", context)


@require_safe
@coordinator_required
def submitted_download(request, pk, file_format):
    if file_format not in FORMATS:
        raise Http404
    submitted = _submitted(pk)
    report = report_from_json(submitted.snapshot)
    with translation.override(submitted.language):  # the language it was submitted in
        content = report_file(report, file_format)
    filename = report_filename(report, file_format).replace("progress-report", "submitted-report")
    return _attachment(content, filename, file_format)
