"""The figures the funder's indicators are computed from, for a reporting window.

Each figure is given "in the period" (sessions that started, certificates issued, ... between the
window's start and end) and "cumulative" (everything up to the window's end). Demonstration
stages (``Stage.is_demo``) never count. Every figure comes from one SQL query with the aggregates
in the database, whatever the number of participants (people trained and stage completions share
one pass over the registrations and their attendance); ``ProgrammeFigures`` runs each query at
most once per report, so the report's query count is fixed.

The registry (``COMPUTATIONS``) is fixed in code: an indicator row names one of its keys.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cached_property

from django.db.models import (
    Count,
    DecimalField,
    F,
    FilteredRelation,
    Min,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Round
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual
from django.utils.translation import gettext_lazy as _

from courses.models import Stage
from participants.attendance.models import Attendance
from participants.attendance.selectors import round_hours, row_hours  # the attendance rule
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

    # --- people trained and participants completing a stage (one query) ----------------------
    @cached_property
    def _registration_counts(self) -> dict:
        """People trained (in all and by role, municipality and sex) and stage completions, each
        in the period and cumulative, counted in one pass over the confirmed registrations.

        Trained: a confirmed registration for a (non-demo) stage of the programme and at least
        one session of that stage attended as present. Completing: a confirmed registration
        whose attended hours reached the stage's threshold, in the period (reached by its end,
        not yet at its start) and cumulative (by its end). Each registration is joined to its
        own attendance rows in its stage's sessions and grouped; the counts are taken over
        those groups (one row back, whatever the number of people).
        """
        w = self.window
        present = Q(own__status=Attendance.Status.PRESENT)
        up_to_end = Q(stage__sessions__starts_at__lt=w.end)
        in_period = up_to_end & Q(stage__sessions__starts_at__gte=w.start)
        hours = row_hours(
            attendance="own__", session="stage__sessions__", programme="stage__programme__"
        )
        required = Round(
            F("stage__planned_academic_hours") * F("stage__completion_threshold_percent") / 100, 2
        )
        groups = (
            Registration.objects.filter(
                status=Registration.Status.CONFIRMED,
                stage__programme=self.programme,
                stage__is_demo=False,
            )
            .annotate(
                own=FilteredRelation(
                    "stage__sessions__attendances",
                    condition=Q(stage__sessions__attendances__participant=F("participant")),
                ),
            )
            # Grouped by the registration alone: its person's details and its stage's threshold
            # are one value per group, taken with Min() so that they stay out of the GROUP BY
            # (a sort of every attendance row by four more columns, texts among them).
            .values("pk")
            .annotate(
                person=Min("participant_id"),
                role=Min("participant__role"),
                place=Min("participant__municipality"),
                sex=Min("participant__sex"),
                required=Min(required),
                trained=GreaterThan(Count("own", filter=present & up_to_end), 0),
                trained_in_period=GreaterThan(Count("own", filter=present & in_period), 0),
                by_end=Round(Coalesce(Sum(hours, filter=up_to_end), ZERO_HOURS), 2),
                by_start=Round(
                    Coalesce(
                        Sum(hours, filter=Q(stage__sessions__starts_at__lt=w.start)), ZERO_HOURS
                    ),
                    2,
                ),
            )
            .annotate(
                reached_by_end=GreaterThanOrEqual(F("by_end"), F("required")),
                reached_by_start=GreaterThanOrEqual(F("by_start"), F("required")),
            )
        )
        counts = {
            "completions": Count("pk", filter=Q(reached_by_end=True)),
            "completions_in_period": Count(
                "pk", filter=Q(reached_by_end=True, reached_by_start=False)
            ),
        }
        for key, group in _people_groups():
            counts[key] = Count("person", distinct=True, filter=group & Q(trained=True))
            counts[f"{key}_in_period"] = Count(
                "person", distinct=True, filter=group & Q(trained_in_period=True)
            )
        return groups.aggregate(**counts)

    def people_trained(self) -> Figure:
        counts = self._registration_counts
        breakdown = [
            Breakdown(
                dimension=dimension,
                key=key,
                label=str(label),
                in_period=_dec(counts[f"{dimension}_{key}_in_period"]),
                cumulative=_dec(counts[f"{dimension}_{key}"]),
            )
            for dimension, key, label in _breakdown_rows()
        ]
        return Figure(
            in_period=_dec(counts["people_in_period"]),
            cumulative=_dec(counts["people"]),
            breakdown=tuple(breakdown),
        )

    def stage_completions(self) -> Figure:
        counts = self._registration_counts
        return Figure(
            in_period=_dec(counts["completions_in_period"]),
            cumulative=_dec(counts["completions"]),
        )

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


def _people_groups():
    """(count name, condition) for everyone trained and for each group of the breakdown."""
    yield "people", Q()
    for dimension, key, _label in _breakdown_rows():
        if dimension == "role":
            group = Q(role=key)
        elif dimension == "municipality":
            group = Q(place=DAUGAVPILS) if key == DAUGAVPILS else ~Q(place=DAUGAVPILS)
        elif key == "unknown":
            group = ~Q(sex__in=[Participant.Sex.FEMALE, Participant.Sex.MALE])
        else:
            group = Q(sex=key)
        yield f"{dimension}_{key}", group


def _breakdown_rows():
    for key, label in Participant.Role.choices:
        yield "role", key, label
    yield "municipality", DAUGAVPILS, _("Daugavpils")
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
