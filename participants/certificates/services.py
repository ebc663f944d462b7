"""Issuing and revoking certificates.

Every issue locks the programme's row first, then checks and numbers: two staff members (or two
bulk issues) at once queue on the lock, so no certificate is numbered twice and no participant
gets two for one stage. The database's unique constraints hold the same rules underneath.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Programme, Stage
from participants.attendance.selectors import StageProgress, participant_stage_progress
from participants.certificates.codes import new_verification_code
from participants.certificates.mail import certificate_mail_record
from participants.certificates.models import Certificate
from participants.certificates.pdf import format_hours
from participants.certificates.selectors import stage_certificate_candidates, stage_days
from participants.models import Participant, Registration


class CertificateError(Exception):
    """A certificate cannot be issued or revoked; the message says why, for staff."""


@dataclass
class BulkIssueResult:
    issued: list[Certificate] = field(default_factory=list)
    already_had: int = 0
    below_threshold: list[Participant] = field(default_factory=list)


def _lock_programme(stage: Stage) -> Programme:
    return Programme.objects.select_for_update().get(pk=stage.programme_id)


def _next_sequence(programme: Programme) -> int:
    last = Certificate.objects.filter(programme=programme).aggregate(last=Max("sequence"))["last"]
    return (last or 0) + 1


def certificate_number(*, programme: Programme, stage: Stage, sequence: int, year: int) -> str:
    return programme.certificate_number_pattern.format(year=year, stage=stage.order, seq=sequence)


def _refusal(*, participant, stage, registration, progress: StageProgress) -> str | None:
    if Certificate.objects.filter(participant=participant, stage=stage).exists():
        return _("%(name)s already has a certificate for this stage.") % {
            "name": participant.full_name
        }
    if registration is None:
        return _("%(name)s has no confirmed registration for this stage.") % {
            "name": participant.full_name
        }
    if not progress.reached:
        return _(
            "%(name)s attended %(hours)s academic hours; the certificate needs %(required)s."
        ) % {
            "name": participant.full_name,
            "hours": format_hours(progress.hours_attended),
            "required": format_hours(progress.hours_required),
        }
    return None


def _confirmed_registrations(*, stage, participant_ids) -> dict[int, Registration]:
    registrations = Registration.objects.filter(
        stage=stage, status=Registration.Status.CONFIRMED, participant_id__in=participant_ids
    )
    return {registration.participant_id: registration for registration in registrations}


def _create(
    *, programme, registration, participant, stage, progress, issued_by, days
) -> Certificate:
    """Numbers and saves a certificate; the caller holds the programme's lock."""
    now = timezone.now()
    sequence = _next_sequence(programme)
    certificate = Certificate.objects.create(
        participant=participant,
        stage=stage,
        programme=programme,
        sequence=sequence,
        number=certificate_number(
            programme=programme,
            stage=stage,
            sequence=sequence,
            year=timezone.localdate(now).year,
        ),
        verification_code=new_verification_code(),
        holder_name=participant.full_name,
        hours_attended=progress.hours_attended,
        hours_planned=stage.planned_academic_hours,
        first_day=days[0],
        last_day=days[1],
        issued_at=now,
        issued_by=issued_by,
    )
    certificate_mail_record(certificate=certificate, registration=registration)
    return certificate


def certificate_issue(*, participant: Participant, stage: Stage, issued_by) -> Certificate:
    """Issue ``participant``'s certificate for ``stage`` and mail it to them.

    Refused (CertificateError) when they already have one for the stage, have no confirmed
    registration, or attended fewer academic hours than the stage's completion threshold.
    """
    with transaction.atomic():
        programme = _lock_programme(stage)
        progress = participant_stage_progress(participant=participant, stage=stage)
        registration = _confirmed_registrations(stage=stage, participant_ids=[participant.pk]).get(
            participant.pk
        )
        refusal = _refusal(
            participant=participant, stage=stage, registration=registration, progress=progress
        )
        if refusal:
            raise CertificateError(refusal)
        return _create(
            programme=programme,
            registration=registration,
            participant=participant,
            stage=stage,
            progress=progress,
            issued_by=issued_by,
            days=stage_days(stage),
        )


def certificate_issue_for_stage(
    *, stage: Stage, issued_by, participant_ids: Iterable[int] | None = None
) -> BulkIssueResult:
    """Issue certificates to every eligible confirmed participant of ``stage`` at once.

    Those who already have one are skipped, and so are those below the threshold (listed in
    the result). ``participant_ids`` narrows it to the people staff ticked.
    """
    wanted = None if participant_ids is None else set(participant_ids)
    result = BulkIssueResult()
    with transaction.atomic():
        programme = _lock_programme(stage)
        days = stage_days(stage)
        result.already_had = Certificate.objects.filter(stage=stage).count()
        candidates = stage_certificate_candidates(stage=stage)
        if wanted is not None:
            candidates = [c for c in candidates if c.participant.pk in wanted]
        registrations = _confirmed_registrations(
            stage=stage, participant_ids=[c.participant.pk for c in candidates]
        )
        for candidate in candidates:
            if not candidate.eligible:
                result.below_threshold.append(candidate.participant)
                continue
            result.issued.append(
                _create(
                    programme=programme,
                    registration=registrations[candidate.participant.pk],
                    participant=candidate.participant,
                    stage=stage,
                    progress=candidate.progress,
                    issued_by=issued_by,
                    days=days,
                )
            )
    return result


def certificate_revoke(*, certificate: Certificate, reason: str, revoked_by) -> Certificate:
    """Revoke a certificate: the public page then says so. Needs a reason; final."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError(_("Give the reason for revoking the certificate."))
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.is_revoked:
            raise CertificateError(_("The certificate is already revoked."))
        locked.revoked_at = timezone.now()
        locked.revoked_by = revoked_by
        locked.revocation_reason = reason
        locked.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    return locked
