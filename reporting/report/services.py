"""Writes and the one entry point of the progress report: build it for a period, submit it."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from reporting.report.build import ProgressReport, progress_report_build
from reporting.report.models import SubmittedReport
from reporting.report.period import ReportPeriod, period_resolve
from reporting.report.snapshot import report_to_json


def user_label(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def progress_report_for(*, programme, start: date, end: date, generated_by: str, now=None):
    """(period, report) for the requested dates; ValidationError for a period refused."""
    period = period_resolve(programme=programme, start=start, end=end)
    report = progress_report_build(
        programme=programme, period=period, generated_by=generated_by, now=now
    )
    return period, report


def report_submit(*, programme, period: ReportPeriod, user) -> SubmittedReport:
    """Freeze the period's report as it is now. A period is submitted once; its figures never
    change afterwards (corrections show as differences against the live figures)."""
    report: ProgressReport = progress_report_build(
        programme=programme, period=period, generated_by=user_label(user)
    )
    try:
        with transaction.atomic():
            return SubmittedReport.objects.create(
                programme=programme,
                period_start=period.start,
                period_end=period.end,
                snapshot=report_to_json(report),
                language=get_language() or "lv",
                submitted_by=user,
                submitted_by_name=user_label(user),
            )
    except IntegrityError as error:
        raise ValidationError(
            _("The report for this period has been submitted already."), code="submitted"
        ) from error
