"""A reporting period: checked against the programme's dates and clipped to them."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db.models import Min
from django.utils.translation import gettext as _

from courses.models import Stage
from reporting.report.formatting import day_text

RIGA = ZoneInfo("Europe/Riga")


@dataclass(frozen=True)
class ReportPeriod:
    start: date
    end: date
    requested_start: date
    requested_end: date
    programme_start: date | None
    programme_end: date

    @property
    def clipped(self) -> bool:
        return (self.start, self.end) != (self.requested_start, self.requested_end)

    @property
    def start_at(self) -> datetime:
        """The period's first moment (midnight in Riga), aware."""
        return datetime.combine(self.start, time(0), tzinfo=RIGA)

    @property
    def end_at(self) -> datetime:
        """The moment after the period's last day (exclusive), aware."""
        return datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=RIGA)


def programme_dates(*, programme) -> tuple[date | None, date]:
    """The programme's first day (its first session or registration opening, demonstration
    stages left out; None when it has neither yet) and its end date. One query."""
    first = Stage.objects.filter(programme=programme, is_demo=False).aggregate(
        session=Min("sessions__starts_at"), registration=Min("registration_opens_at")
    )
    moments = [moment for moment in first.values() if moment is not None]
    start = min(moments).astimezone(RIGA).date() if moments else None
    return start, programme.end_date


def period_resolve(*, programme, start: date, end: date) -> ReportPeriod:
    """The period to report on, or ValidationError with a message for the coordinator.

    An end before the start is refused, and so is a period wholly outside the programme's
    dates; a period that overlaps them is clipped to them (``clipped`` says so).
    """
    if end < start:
        raise ValidationError(_("The period's end is before its start."), code="end_before_start")
    programme_start, programme_end = programme_dates(programme=programme)
    outside = start > programme_end or (programme_start is not None and end < programme_start)
    if outside:
        raise ValidationError(
            _(
                "The period %(start)s–%(end)s is wholly outside the programme's dates "
                "(%(programme_start)s–%(programme_end)s)."
            )
            % {
                "start": day_text(start),
                "end": day_text(end),
                "programme_start": day_text(programme_start),
                "programme_end": day_text(programme_end),
            },
            code="outside_programme",
        )
    clipped_start = max(start, programme_start) if programme_start else start
    return ReportPeriod(
        start=clipped_start,
        end=min(end, programme_end),
        requested_start=start,
        requested_end=end,
        programme_start=programme_start,
        programme_end=programme_end,
    )
