"""Reads about registrations: seats taken and left, the waiting list, the public programme."""

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from courses.models import Session
from courses.selectors import programme_stages
from participants.models import Registration

Status = Registration.Status
ONLINE_MODES = [Session.Mode.ONLINE, Session.Mode.HYBRID]
ONSITE_MODES = [Session.Mode.ONSITE, Session.Mode.HYBRID]


def confirmed_registrations(stage):
    return Registration.objects.filter(stage=stage, status=Status.CONFIRMED)


def seats_taken(stage) -> int:
    return confirmed_registrations(stage).count()


def seats_left(stage) -> int:
    return max(stage.capacity - seats_taken(stage), 0)


def waiting_list(stage):
    """The stage's waiting list, first in line first (see ``Registration.waiting_since``)."""
    return (
        Registration.objects.filter(stage=stage, status=Status.WAITING_LIST)
        .select_related("participant")
        .order_by("waiting_since", "email_confirmed_at", "pk")
    )


def _confirmed_count_subquery():
    confirmed = (
        Registration.objects.filter(stage=OuterRef("pk"), status=Status.CONFIRMED)
        .order_by()
        .values("stage")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(confirmed, output_field=IntegerField()), Value(0))


def with_seats(stages):
    """``stages`` annotated with ``seats_taken_count`` and ``seats_left_count`` in one query.

    A subquery, not a join, so it can be combined with the sessions' hours sums without
    multiplying rows.
    """
    stages = stages.annotate(seats_taken_count=_confirmed_count_subquery())
    return stages.annotate(
        seats_left_count=Greatest(F("capacity") - F("seats_taken_count"), Value(0))
    )


class RegistrationState:
    """Where a stage stands for someone who wants to register (``registration_state``)."""

    OPEN = "open"
    NOT_YET_OPEN = "not_yet_open"
    CLOSED = "closed"
    PAST = "past"  # its last session has ended


def with_registration_state(stages, *, now):
    """``stages`` (annotated with ``last_session_ends_at``) with their ``registration_state``
    at ``now``; the same rules as ``services.registration_refusal``."""
    return stages.annotate(
        registration_state=Case(
            When(last_session_ends_at__lte=now, then=Value(RegistrationState.PAST)),
            When(registration_opens_at__gt=now, then=Value(RegistrationState.NOT_YET_OPEN)),
            When(registration_closes_at__lte=now, then=Value(RegistrationState.CLOSED)),
            default=Value(RegistrationState.OPEN),
            output_field=CharField(),
        )
    )


def public_stages(*, programme, now=None):
    """The programme's stages for the public pages: hours, dates, seats, whether registration
    is open, and sessions.

    A fixed number of queries however many stages, sessions and registrations there are.
    """
    stages = programme_stages(programme=programme).annotate(
        first_session_starts_at=Min("sessions__starts_at"),
        last_session_ends_at=Max("sessions__ends_at"),
        online_sessions=Count("sessions", filter=Q(sessions__mode__in=ONLINE_MODES)),
        onsite_sessions=Count("sessions", filter=Q(sessions__mode__in=ONSITE_MODES)),
    )
    stages = with_registration_state(stages, now=now or timezone.now())
    return with_seats(stages)


def public_stage(*, programme, stage_id, now=None):
    return public_stages(programme=programme, now=now).filter(pk=stage_id).first()


def registration_for_link(pk):
    """The registration a signed link names, with what its pages show, or None."""
    return (
        Registration.objects.select_related("participant", "stage", "stage__programme")
        .filter(pk=pk)
        .first()
    )


def live_registration(*, participant, stage):
    return (
        Registration.objects.filter(participant=participant, stage=stage)
        .exclude(status=Status.CANCELLED)
        .first()
    )


def stage_sessions(stage):
    return stage.sessions.select_related("stage").order_by("starts_at")


def waiting_list_position(registration):
    """1 for the first person waiting; None when the registration is not on the waiting list."""
    if registration.status != Status.WAITING_LIST:
        return None
    ahead = [pk for pk in waiting_list(registration.stage).values_list("pk", flat=True)]
    return ahead.index(registration.pk) + 1 if registration.pk in ahead else None
