"""The figures the funder's indicators are computed from, for a reporting window.

Each figure is given "in the period" (sessions that started, certificates issued, ... between the
window's start and end) and "cumulative" (everything up to the window's end). Demonstration
stages (``Stage.is_demo``) never count. Every figure is one SQL query with the aggregates in the
database, whatever the number of participants; ``ProgrammeFigures`` runs each query at most once
per report, so the report's query count is fixed.

The registry (``COMPUTATIONS``) is fixed in code: an indicator row names one of its keys.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cached_property

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from courses.models import Stage
from participants.attendance.models import Attendance
from participants.attendance.selectors import _row_hours, round_hours  # the attendance rule
from participants.certificates.models import Certificate
from participants.models import Participant, Registration

HOURS = DecimalField(max_digits=12, decimal_places=4)
ZERO_HOURS = Value(Decimal("0"), output_field=HOURS)
DAUGAVPILS = "daugavpils"


@dataclass(frozen=True)
class Window:
    """Aware datetimes: the period is [start, end); ``now`` caps what counts as held."""

    start: datetime
    end: datetime
    now: datetime


@dataclass(frozen=True)
class Breakdown:
    dimension: str  # "role", "municipality" or "sex"
    key: str
    label: str
    in_period: Decimal
    cumulative: Decimal


@dataclass(frozen=True)
class Figure:
    in_period: Decimal
    cumulative: Decimal
    breakdown: tuple[Breakdown, ...] = field(default=())


@dataclass(frozen=True)
class StageHours:
    stage_id: int
    order: int
    title: str
    planned: Decimal
    scheduled: Decimal
    delivered_in_period: Decimal
    delivered_cumulative: Decimal
    sessions_in_period: int
    sessions_cumulative: int


def _dec(number) -> Decimal:
    return Decimal(number or 0)


class ProgrammeFigures:
    """The data's figures for one programme and window (each query made once, on first use)."""

    def __init__(self, *, programme, window: Window):
        self.programme = programme
        self.window = window

    def _stages(self):
        return Stage.objects.filter(programme=self.programme, is_demo=False)

    # --- hours and sessions per stage (one query) ---------------------------------------------
    @cached_property
    def stage_hours(self) -> list[StageHours]:
        w = self.window
        held = Q(sessions__ends_at__lte=w.now)
        up_to_end = Q(sessions__starts_at__lt=w.end)
        in_period = up_to_end & Q(sessions__starts_at__gte=w.start)
        stages = (
            self._stages()
            .annotate(
                scheduled=Coalesce(Sum("sessions__academic_hours"), ZERO_HOURS),
                delivered_in_period=Coalesce(
                    Sum("sessions__academic_hours", filter=held & in_period), ZERO_HOURS
                ),
                delivered_cumulative=Coalesce(
                    Sum("sessions__academic_hours", filter=held & up_to_end), ZERO_HOURS
                ),
                sessions_in_period=Count("sessions", filter=held & in_period),
                sessions_cumulative=Count("sessions", filter=held & up_to_end),
            )
            .order_by("order")
        )
        return [
            StageHours(
                stage_id=stage.pk,
                order=stage.order,
                title=stage.title,
                planned=stage.planned_academic_hours,
                scheduled=round_hours(stage.scheduled),
                delivered_in_period=round_hours(stage.delivered_in_period),
                delivered_cumulative=round_hours(stage.delivered_cumulative),
                sessions_in_period=stage.sessions_in_period,
                sessions_cumulative=stage.sessions_cumulative,
            )
            for stage in stages
        ]

    def sessions_held(self) -> Figure:
        rows = self.stage_hours
        return Figure(
            in_period=_dec(sum(row.sessions_in_period for row in rows)),
            cumulative=_dec(sum(row.sessions_cumulative for row in rows)),
        )

    def hours_delivered(self) -> Figure:
        rows = self.stage_hours
        return Figure(
            in_period=sum((row.delivered_in_period for row in rows), Decimal("0.00")),
            cumulative=sum((row.delivered_cumulative for row in rows), Decimal("0.00")),
        )

    # --- people trained (one query) -----------------------------------------------------------
    @cached_property
    def _trained_groups(self):
        """(role, municipality, sex, cumulative count, in-period count) per group of people.

        Trained: a confirmed registration for a (non-demo) stage of the programme and at least
        one session of that stage attended as present.
        """
        w = self.window
        present = Attendance.objects.filter(
            participant=OuterRef("pk"),
            status=Attendance.Status.PRESENT,
            session__stage__programme=self.programme,
            session__stage__is_demo=False,
            session__stage__registrations__participant=OuterRef("pk"),
            session__stage__registrations__status=Registration.Status.CONFIRMED,
            session__starts_at__lt=w.end,
        )
        return list(
            Participant.objects.annotate(
                trained=Exists(present),
                trained_in_period=Exists(present.filter(session__starts_at__gte=w.start)),
            )
            .filter(trained=True)
            .order_by()
            .values("role", "municipality", "sex")
            .annotate(
                cumulative=Count("pk"),
                in_period=Count("pk", filter=Q(trained_in_period=True)),
            )
            .values_list("role", "municipality", "sex", "cumulative", "in_period")
        )

    def people_trained(self) -> Figure:
        groups = self._trained_groups
        totals = {}
        for role, municipality, sex, cumulative, in_period in groups:
            place = "daugavpils" if municipality == DAUGAVPILS else "elsewhere"
            given_sex = sex if sex in (Participant.Sex.FEMALE, Participant.Sex.MALE) else "unknown"
            for key in (("role", role), ("municipality", place), ("sex", given_sex)):
                before = totals.get(key, (0, 0))
                totals[key] = (before[0] + cumulative, before[1] + in_period)
        breakdown = []
        for dimension, key, label in _breakdown_rows():
            cumulative, in_period = totals.get((dimension, key), (0, 0))
            breakdown.append(
                Breakdown(
                    dimension=dimension,
                    key=key,
                    label=str(label),
                    in_period=_dec(in_period),
                    cumulative=_dec(cumulative),
                )
            )
        return Figure(
            in_period=_dec(sum(row[4] for row in groups)),
            cumulative=_dec(sum(row[3] for row in groups)),
            breakdown=tuple(breakdown),
        )

    # --- participants completing a stage (one query) ------------------------------------------
    def _hours_before(self, moment):
        rows = (
            Attendance.objects.filter(
                participant=OuterRef("participant_id"),
                session__stage=OuterRef("stage_id"),
                session__starts_at__lt=moment,
            )
            .order_by()
            .values("participant")
            .annotate(total=Sum(_row_hours()))
            .values("total")
        )
        return Coalesce(Subquery(rows, output_field=HOURS), ZERO_HOURS)

    def stage_completions(self) -> Figure:
        """Confirmed registrations whose attended hours reached the stage's threshold: in the
        period (reached by its end, not yet at its start) and cumulative (by its end)."""
        w = self.window
        rows = (
            Registration.objects.filter(
                status=Registration.Status.CONFIRMED,
                stage__programme=self.programme,
                stage__is_demo=False,
            )
            .annotate(by_end=self._hours_before(w.end), by_start=self._hours_before(w.start))
            .values_list(
                "stage__planned_academic_hours",
                "stage__completion_threshold_percent",
                "by_end",
                "by_start",
            )
        )
        cumulative = in_period = 0
        for planned, threshold, by_end, by_start in rows:
            required = round_hours(planned * threshold / 100)
            if round_hours(by_end) >= required:
                cumulative += 1
                if round_hours(by_start) < required:
                    in_period += 1
        return Figure(in_period=_dec(in_period), cumulative=_dec(cumulative))

    # --- certificates (one query) -------------------------------------------------------------
    def certificates_issued(self) -> Figure:
        w = self.window
        up_to_end = Q(issued_at__lt=w.end)
        counts = Certificate.objects.filter(
            programme=self.programme, stage__is_demo=False, revoked_at__isnull=True
        ).aggregate(
            cumulative=Count("pk", filter=up_to_end),
            in_period=Count("pk", filter=up_to_end & Q(issued_at__gte=w.start)),
        )
        return Figure(in_period=_dec(counts["in_period"]), cumulative=_dec(counts["cumulative"]))


def _breakdown_rows():
    for key, label in Participant.Role.choices:
        yield "role", key, label
    yield "municipality", "daugavpils", _("Daugavpils")
    yield "municipality", "elsewhere", _("other municipalities")
    yield "sex", Participant.Sex.FEMALE.value, Participant.Sex.FEMALE.label
    yield "sex", Participant.Sex.MALE.value, Participant.Sex.MALE.label
    yield "sex", "unknown", _("not given")


# key -> (label, the ProgrammeFigures method that computes it)
COMPUTATIONS = {
    "people_trained": (_("people trained (confirmed and attending)"), "people_trained"),
    "sessions_held": (_("sessions held"), "sessions_held"),
    "academic_hours_delivered": (_("academic hours delivered"), "hours_delivered"),
    "stage_completions": (_("participants completing a stage"), "stage_completions"),
    "certificates_issued": (_("certificates issued (not revoked)"), "certificates_issued"),
}
COMPUTATION_CHOICES = [(key, label) for key, (label, _method) in COMPUTATIONS.items()]


def compute(figures: ProgrammeFigures, key: str) -> Figure:
    _label, method = COMPUTATIONS[key]
    return getattr(figures, method)()
