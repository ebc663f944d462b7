"""Reads about certificates: by code, for a registration, and who in a stage may get one."""

from dataclasses import dataclass

from django.db.models import Max, Min
from django.utils import timezone

from courses.models import Session, Stage
from participants.attendance.selectors import StageProgress, stage_progress
from participants.certificates.codes import normalise_code
from participants.certificates.models import Certificate
from participants.models import Participant, Registration


def certificate_by_code(text: str) -> Certificate | None:
    """The certificate a typed or linked code names, or None (also for text that is no code)."""
    code = normalise_code(text)
    if code is None:
        return None
    return (
        Certificate.objects.select_related("stage", "programme")
        .filter(verification_code=code)
        .first()
    )


def certificate_for_registration(registration: Registration) -> Certificate | None:
    """The participant's certificate for the registration's stage (revoked ones too)."""
    return (
        Certificate.objects.select_related("participant", "stage", "programme")
        .filter(participant_id=registration.participant_id, stage_id=registration.stage_id)
        .first()
    )


def certificate_for_mail(certificate_id: int) -> Certificate | None:
    return (
        Certificate.objects.select_related("participant", "stage", "programme")
        .filter(pk=certificate_id)
        .first()
    )


@dataclass(frozen=True)
class Candidate:
    """A confirmed participant of a stage who has no certificate for it yet."""

    participant: Participant
    progress: StageProgress

    @property
    def eligible(self) -> bool:
        return self.progress.reached


def stage_certificate_candidates(*, stage: Stage) -> list[Candidate]:
    """The stage's confirmed participants without a certificate, with their progress.

    Two queries whatever the size: the hours of everyone confirmed, and the people.
    """
    progress = stage_progress(stage=stage)
    people = (
        Participant.objects.filter(pk__in=progress.keys())
        .exclude(certificates__stage=stage)
        .order_by("last_name", "first_name", "pk")
    )
    return [Candidate(participant=person, progress=progress[person.pk]) for person in people]


def stage_topics(stage: Stage) -> list[str]:
    """The topics of the stage's sessions in the active language, in order, each once."""
    topics = []
    for session in Session.objects.filter(stage=stage).order_by("starts_at", "pk"):
        if session.topic and session.topic not in topics:
            topics.append(session.topic)
    return topics


def stage_days(stage: Stage):
    """The local dates of the stage's first and last sessions, (None, None) without sessions."""
    bounds = Session.objects.filter(stage=stage).aggregate(
        first=Min("starts_at"), last=Max("ends_at")
    )
    if bounds["first"] is None:
        return None, None
    return timezone.localdate(bounds["first"]), timezone.localdate(bounds["last"])
