"""Writes about registrations: register, confirm, cancel, the waiting list and its promotions.

Every change of who holds a seat happens inside one ``transaction.atomic()`` that first locks the
stage row (``select_for_update``) and only then counts the confirmed registrations, so two
requests can never both take the last seat. Locks are always taken in the same order (stage,
then registrations; a service that also locks the participant takes it first) so that two
writers cannot deadlock. Every mail is recorded in the outbox (``participants.outbox``) in the
same transaction as the change that causes it: a rolled-back change sends nothing, and a
committed one loses no mail even while the broker is down.

The public form never changes an existing person's details: what was typed travels with the
confirmation request, and takes effect when the owner of the address confirms with that link.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from courses.models import Stage
from participants.links import CONFIRMATION_MAX_AGE
from participants.models import Participant, Registration
from participants.outbox import record as outbox
from participants.selectors import live_registration, seats_taken, waiting_list

logger = logging.getLogger(__name__)

Status = Registration.Status

CONSENT_VERSION = "2026-11-v1"
UNCONFIRMED_LIFETIME = CONFIRMATION_MAX_AGE

# The details a participant may change through the manage link (never the e-mail).
EDITABLE_DETAILS = (
    "first_name",
    "last_name",
    "role",
    "subjects",
    "institution",
    "municipality",
    "phone",
    "sex",
    "language",
)
PARTICIPANT_FIELDS = ("email", *EDITABLE_DETAILS)


class RegistrationError(ValidationError):
    """A registration change the rules refuse; the message is shown to the person."""


class RegistrationClosed(RegistrationError):
    pass


class StageFull(RegistrationError):
    pass


def enqueue_mail(registration, template, *, payload=None, now=None):
    """Record ``template`` for the registration's participant in the outbox (same transaction);
    a worker sends it once the transaction has committed."""
    return outbox.participant_mail_record(
        registration=registration, template=template, payload=payload, now=now
    )


def _mail_from_form(registration, template, *, participant, details, now):
    """A mail the public form causes, within the address's daily share; otherwise none.

    Beyond ``REGISTRATION_MAIL_DAILY_LIMIT`` mails in 24 hours nothing is recorded and the page
    answers as usual, so the form cannot be used to flood an address (nor to learn about it).
    The participant's row must be locked.
    """
    if not outbox.form_mail_allowed(participant=participant, now=now):
        logger.info(
            "Daily mail limit reached for participant %s; no %s mail", participant.pk, template
        )
        return None
    payload = {"details": details} if template == outbox.CONFIRMATION_REQUEST else None
    return enqueue_mail(registration, template, payload=payload, now=now)


# --- registering ------------------------------------------------------------------------------


def _local_date(moment):
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


def stage_is_past(stage, *, now) -> bool:
    """True once the stage's last session has ended (a stage without sessions is not past)."""
    last_end = stage.sessions.order_by("-ends_at").values_list("ends_at", flat=True).first()
    return last_end is not None and last_end <= now


def registration_refusal(stage, *, now=None):
    """Why registration for ``stage`` is refused at ``now``, or None when it is open."""
    now = now or timezone.now()
    if stage_is_past(stage, now=now):
        return _("This stage has already taken place, so registration is closed.")
    if stage.registration_opens_at and now < stage.registration_opens_at:
        return _("Registration for this stage opens on %(date)s.") % {
            "date": _local_date(stage.registration_opens_at)
        }
    if stage.registration_closes_at and now >= stage.registration_closes_at:
        return _("Registration for this stage closed on %(date)s.") % {
            "date": _local_date(stage.registration_closes_at)
        }
    return None


def participant_find(email):
    return Participant.objects.filter(email__iexact=email.strip()).first()


def submitted_details(*, participant_data: dict, language: str) -> dict:
    """The details typed into the form (not the e-mail), as stored with a confirmation request."""
    details = {
        name: participant_data[name] for name in EDITABLE_DETAILS if name in participant_data
    }
    details["language"] = language
    return details


def participant_get_or_create(*, participant_data: dict, language: str) -> Participant:
    """The participant with this e-mail, created from ``participant_data`` if new.

    An existing person is returned unchanged, whatever the form said: anyone may type anyone's
    address. The details typed travel with the confirmation request and take effect when the
    owner of the address confirms (``registration_confirm_email``); people with a seat change
    their details through their manage link.
    """
    data = {name: participant_data[name] for name in PARTICIPANT_FIELDS if name in participant_data}
    data["email"] = data["email"].strip().lower()
    data["language"] = language
    participant = participant_find(data["email"])
    if participant is None:
        try:
            with transaction.atomic():
                participant = Participant(**data)
                participant.full_clean(validate_constraints=False)
                participant.save()
                return participant
        except IntegrityError:
            # Someone registered the same address at the same moment; use their row.
            participant = participant_find(data["email"])
    return participant


def _lock_participant(participant_id) -> Participant:
    return Participant.objects.select_for_update().get(pk=participant_id)


def _participant_set(participant, data, *, exclude=()):
    fields = [name for name in data if name not in exclude]
    for name in fields:
        setattr(participant, name, data[name])
    participant.full_clean(exclude=["email"])
    participant.save(update_fields=[*fields, "updated_at"])


def registration_create(
    *, stage, participant_data: dict, language: str, consent_version: str, now=None
) -> Registration:
    """Register a person for ``stage`` and send the confirmation link (double opt-in).

    If the person already has a live registration for the stage, nothing new is created: the
    existing registration is returned and its link mailed again, so the answer is the same
    whether or not someone is registered. An address gets at most
    ``REGISTRATION_MAIL_DAILY_LIMIT`` such mails a day; beyond that nothing is mailed (the
    answer stays the same). The details typed change an existing person only once they
    confirm with the link of this request. Raises ``RegistrationClosed`` outside the window.
    """
    now = now or timezone.now()
    refusal = registration_refusal(stage, now=now)
    if refusal:
        raise RegistrationClosed(refusal, code="closed")
    with transaction.atomic():
        participant = participant_get_or_create(
            participant_data=participant_data, language=language
        )
        # Serialises posts for one address, so the daily mail limit holds under a flood.
        participant = _lock_participant(participant.pk)
        details = submitted_details(participant_data=participant_data, language=language)
        repeat = {"consent_version": consent_version, "details": details, "now": now}
        existing = live_registration(participant=participant, stage=stage)
        if existing is not None:
            return _registration_repeat(existing, participant=participant, **repeat)
        try:
            with transaction.atomic():
                registration = Registration.objects.create(
                    participant=participant,
                    stage=stage,
                    status=Status.AWAITING_CONFIRMATION,
                    consent_version=consent_version,
                    consent_at=now,
                )
        except IntegrityError:
            # A second submission won the race for the one live registration; answer as a repeat.
            existing = live_registration(participant=participant, stage=stage)
            return _registration_repeat(existing, participant=participant, **repeat)
        Registration.objects.filter(pk=registration.pk).update(created_at=now)
        registration.created_at = now
        _mail_from_form(
            registration, "awaiting_confirmation", participant=participant, details=details, now=now
        )
    return registration


def _registration_repeat(registration, *, participant, consent_version, details, now):
    """A second registration for the same stage: mail the person their link again.

    Still unconfirmed: a fresh confirmation link (and the clock for purging restarts, since the
    form was just submitted again with consent). Otherwise: the manage link.
    """
    if registration.status == Status.AWAITING_CONFIRMATION:
        registration.consent_version = consent_version
        registration.consent_at = now
        registration.created_at = now
        registration.save(update_fields=["consent_version", "consent_at", "created_at"])
        template = "awaiting_confirmation"
    else:
        template = "manage_link"
    _mail_from_form(registration, template, participant=participant, details=details, now=now)
    return registration


# --- seats ------------------------------------------------------------------------------------


def _lock_stage(stage_id) -> Stage:
    return Stage.objects.select_for_update().get(pk=stage_id)


def _lock_registration(registration) -> Registration:
    return (
        Registration.objects.select_for_update(of=("self",))
        .select_related("participant", "stage")
        .get(pk=registration.pk)
    )


def _free_seats(stage) -> int:
    return max(stage.capacity - seats_taken(stage), 0)


def _take_seat(registration, *, now):
    registration.status = Status.CONFIRMED
    registration.confirmed_at = now
    registration.waiting_since = None
    registration.save(update_fields=["status", "confirmed_at", "waiting_since"])


def _fill_free_seats(stage, *, now, exclude_pk=None) -> list[Registration]:
    """Give the free seats to the waiting list in order. The stage row must be locked."""
    free = _free_seats(stage)
    if free <= 0:
        return []
    queue = waiting_list(stage).select_for_update(of=("self",))
    if exclude_pk is not None:
        queue = queue.exclude(pk=exclude_pk)
    promoted = list(queue[:free])
    for registration in promoted:
        _take_seat(registration, now=now)
        enqueue_mail(registration, "promoted")
    return promoted


def waiting_list_promote(*, stage, now=None) -> list[Registration]:
    """Fill the stage's free seats from its waiting list, first in line first; mail each.

    Call it whenever seats may have been freed outside these services, e.g. after staff raise
    the stage's capacity. Returns the promoted registrations.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked_stage = _lock_stage(stage.pk)
        return _fill_free_seats(locked_stage, now=now)


def registration_confirm_email(
    *, registration, confirmation_mail_id: int | None = None, now=None
) -> Registration:
    """The person clicked the confirmation link: a seat if one is free, else the waiting list.

    People already waiting are served first, so confirming never jumps the queue. A second
    click changes nothing and sends nothing. ``confirmation_mail_id`` is the confirmation
    request whose link was used: the details typed for it become the person's details (they
    have just proved they own the address).
    """
    now = now or timezone.now()
    with transaction.atomic():
        participant = _lock_participant(registration.participant_id)
        stage = _lock_stage(registration.stage_id)
        registration = _lock_registration(registration)
        if registration.status != Status.AWAITING_CONFIRMATION:
            return registration
        _apply_submitted_details(participant, registration, mail_id=confirmation_mail_id)
        _fill_free_seats(stage, now=now)
        registration.email_confirmed_at = now
        registration.save(update_fields=["email_confirmed_at"])
        if _free_seats(stage) > 0:
            _take_seat(registration, now=now)
            enqueue_mail(registration, "confirmed")
        else:
            _put_on_waiting_list(registration, since=now)
            enqueue_mail(registration, "waiting_list")
    return registration


def _apply_submitted_details(participant, registration, *, mail_id):
    details = outbox.confirmation_request_details(registration=registration, mail_id=mail_id)
    if not details:
        return
    try:
        with transaction.atomic():
            _participant_set(
                participant, {name: details[name] for name in EDITABLE_DETAILS if name in details}
            )
    except ValidationError:
        # Typed under older rules and no longer valid: confirm, keep the details as they were.
        logger.warning("Details of confirmation mail %s not applied: no longer valid", mail_id)
        participant.refresh_from_db()
    registration.participant = participant


def _put_on_waiting_list(registration, *, since):
    registration.status = Status.WAITING_LIST
    registration.waiting_since = since
    registration.confirmed_at = None
    registration.save(update_fields=["status", "waiting_since", "confirmed_at"])


def registration_cancel(
    *, registration, reason: str = "", by_staff: bool = False, now=None
) -> Registration:
    """Cancel a registration (from any live status); a freed seat goes to the waiting list.

    Cancelling an already cancelled registration changes nothing and sends nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        stage = _lock_stage(registration.stage_id)
        registration = _lock_registration(registration)
        if registration.status == Status.CANCELLED:
            return registration
        held_seat = registration.status == Status.CONFIRMED
        registration.status = Status.CANCELLED
        registration.cancelled_at = now
        registration.cancelled_by_staff = by_staff
        registration.cancellation_reason = reason.strip()
        registration.save(
            update_fields=["status", "cancelled_at", "cancelled_by_staff", "cancellation_reason"]
        )
        enqueue_mail(registration, "cancelled")
        if held_seat:
            _fill_free_seats(stage, now=now)
    return registration


def registration_confirm_by_staff(*, registration, now=None) -> Registration:
    """Staff give a seat to an unconfirmed or waiting registration; refused when full."""
    now = now or timezone.now()
    with transaction.atomic():
        stage = _lock_stage(registration.stage_id)
        registration = _lock_registration(registration)
        if registration.status == Status.CONFIRMED:
            return registration
        if registration.status == Status.CANCELLED:
            raise RegistrationError(
                _("A cancelled registration cannot be confirmed; the person can register again."),
                code="cancelled",
            )
        if _free_seats(stage) <= 0:
            raise StageFull(
                _(
                    "The stage is full (%(capacity)s seats). Free a seat or raise the capacity "
                    "first."
                )
                % {"capacity": stage.capacity},
                code="full",
            )
        _take_seat(registration, now=now)
        enqueue_mail(registration, "confirmed")
    return registration


def registration_move_to_waiting_list(*, registration, now=None) -> Registration:
    """Staff move a confirmed person from their seat to the END of the waiting list.

    Fairness: the people already waiting queued before this decision, so the moved person
    queues from now (``waiting_since`` = now) and the freed seat goes at once to the first
    person already waiting (never straight back to the moved person).
    """
    now = now or timezone.now()
    with transaction.atomic():
        stage = _lock_stage(registration.stage_id)
        registration = _lock_registration(registration)
        if registration.status == Status.WAITING_LIST:
            return registration
        if registration.status != Status.CONFIRMED:
            raise RegistrationError(
                _("Only a confirmed registration can be moved to the waiting list."),
                code="not_confirmed",
            )
        _put_on_waiting_list(registration, since=now)
        enqueue_mail(registration, "waiting_list")
        _fill_free_seats(stage, now=now, exclude_pk=registration.pk)
    return registration


def registration_resend_email(*, registration) -> Registration:
    """Send again the mail that matches the registration's status now."""
    template = {
        Status.AWAITING_CONFIRMATION: "awaiting_confirmation",
        Status.CONFIRMED: "confirmed",
        Status.WAITING_LIST: "waiting_list",
        Status.CANCELLED: "cancelled",
    }[Status(registration.status)]
    with transaction.atomic():
        enqueue_mail(registration, template)
    return registration


# --- details and housekeeping -----------------------------------------------------------------


def participant_update_details(*, participant, data: dict) -> Participant:
    """Change a participant's details (not the e-mail), e.g. from the manage page."""
    with transaction.atomic():
        _participant_set(
            participant, {name: data[name] for name in EDITABLE_DETAILS if name in data}
        )
    return participant


def registrations_purge_expired(*, now=None) -> int:
    """Delete registrations never confirmed within 72 hours; they hold no seat.

    People left with no registration at all are deleted too: they never confirmed their
    address, so there is no reason to keep their personal data.
    """
    now = now or timezone.now()
    expired = Registration.objects.filter(
        status=Status.AWAITING_CONFIRMATION, created_at__lt=now - UNCONFIRMED_LIFETIME
    )
    with transaction.atomic():
        participant_ids = set(expired.values_list("participant_id", flat=True))
        _total, deleted = expired.delete()
        Participant.objects.filter(pk__in=participant_ids, registrations__isnull=True).delete()
    return deleted.get(Registration._meta.label, 0)
