"""Reads about the programme: hours totals, sessions, the programme shown to the public."""

from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from courses.models import Programme, Session, Stage

ZERO_HOURS = Value(Decimal("0.00"), output_field=DecimalField(max_digits=8, decimal_places=2))


def current_programme():
    """The programme the portal presents (the first one; the portal serves one programme)."""
    return Programme.objects.order_by("pk").first()


def with_hours(stages, *, now=None):
    """``stages`` annotated with ``scheduled_hours`` and ``delivered_hours`` (sessions over)."""
    now = now or timezone.now()
    return stages.annotate(
        scheduled_hours=Coalesce(Sum("sessions__academic_hours"), ZERO_HOURS),
        delivered_hours=Coalesce(
            Sum("sessions__academic_hours", filter=Q(sessions__ends_at__lte=now)), ZERO_HOURS
        ),
    )


def _registrations_counted(status):
    """The number of the stage's registrations in ``status``, as a correlated subquery.

    A subquery, not a Count over a join: joined to the sessions as well (``with_hours``), each
    registration would be counted once per session and each session's hours summed once per
    registration. The registrations are reached through the reverse relation's name, so courses
    does not import participants.
    """
    registrations = Stage._meta.get_field("registrations").related_model.objects
    counted = (
        registrations.filter(stage=OuterRef("pk"), status=status)
        .order_by()
        .values("stage")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_seats(stages):
    """``stages`` annotated with ``seats_taken`` (confirmed registrations) and ``waiting``."""
    return stages.annotate(
        seats_taken=_registrations_counted("confirmed"),
        waiting=_registrations_counted("waiting_list"),
    )


def stages_with_hours(*, now=None):
    """Stages with their planned, scheduled and delivered (already over) academic hours."""
    return with_hours(Stage.objects.all(), now=now)


def programme_stages(*, programme):
    """The programme's stages in order, with hours totals and their sessions prefetched."""
    return (
        stages_with_hours()
        .filter(programme=programme)
        .select_related("programme")
        .prefetch_related(Prefetch("sessions", queryset=Session.objects.order_by("starts_at")))
        .order_by("order")
    )


def overlapping_sessions(*, stage, starts_at, ends_at, exclude_pk=None):
    """Sessions of ``stage`` whose time overlaps the interval [starts_at, ends_at)."""
    sessions = Session.objects.filter(stage=stage, starts_at__lt=ends_at, ends_at__gt=starts_at)
    if exclude_pk:
        sessions = sessions.exclude(pk=exclude_pk)
    return sessions
