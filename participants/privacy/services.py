"""Personal data: fresh and withdrawn links, the export log, erasure and the retention period.

Erasure replaces a person's names and contact details with anonymous values and keeps what the
funder counts: the person's row (role, municipality, sex, subjects, language), registrations and
their statuses, attendance and hours, certificates' numbers and hours. Every report figure is
therefore the same before and after (``reporting/tests/test_erasure_keeps_figures.py``).
"""

import logging
import re
from datetime import timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from courses.models import Programme
from participants.attendance.models import Attendance
from participants.attendance.zoom_models import ZoomAlias, ZoomImport
from participants.certificates.models import Certificate
from participants.models import Participant, ParticipantMail, Registration, ReminderDelivery
from participants.outbox.record import form_mail_allowed
from participants.privacy.mail import FRESH_LINKS
from participants.privacy.models import ExportRecord

logger = logging.getLogger(__name__)

Status = Registration.Status
# What an erased person's name becomes (valid under the name rules, so the admin form still works).
ERASED_FIRST_NAME = "Dzēsts"
ERASED_LAST_NAME = "Dalībnieks"
ERASED_TEXT = "[dzēsts]"
UNSENT_MAIL = [
    ParticipantMail.Status.PENDING,
    ParticipantMail.Status.CLAIMED,
    ParticipantMail.Status.FAILED,
]
UNSENT_REMINDER = [
    ReminderDelivery.Status.PENDING,
    ReminderDelivery.Status.CLAIMED,
    ReminderDelivery.Status.FAILED,
]


class ErasureRefused(ValidationError):
    """Erasure would change what is still going on; the message says what to do first."""


def erased_email(participant) -> str:
    """A unique address that can never receive mail (``.invalid`` is reserved, RFC 2606)."""
    return f"erased-{participant.pk}@erased.invalid"


# --- personal links ---------------------------------------------------------------------------


def participant_links_withdraw(*, participant) -> Participant:
    """Every personal link (manage, confirmation, certificate download) of the person stops
    working; links made from now on work. Used by staff, a fresh-link request and erasure."""
    Participant.objects.filter(pk=participant.pk).update(link_version=F("link_version") + 1)
    participant.refresh_from_db(fields=["link_version"])
    return participant


def _registration_for_fresh_links(participant):
    """The registration the fresh-links mail is recorded with: the newest live one."""
    return (
        Registration.objects.filter(participant=participant)
        .exclude(status=Status.CANCELLED)
        .order_by("-created_at", "-pk")
        .first()
    )


def participant_fresh_links_request(*, email: str, now=None) -> bool:
    """Someone typed ``email`` into "lost your link?": mail its owner fresh links.

    The older links stop working at once. Nothing happens for an unknown or erased address, for
    a person with no live registration, or beyond the address's daily share of form mails
    (``REGISTRATION_MAIL_DAILY_LIMIT``, shared with the registration form); the page answers the
    same in every case. The mail is left to the outbox's drain (within a minute) rather than
    handed to a worker at once, so the answer takes as long whether or not the address is known.
    Returns whether a mail was recorded.
    """
    now = now or timezone.now()
    with transaction.atomic():
        participant = (
            Participant.objects.select_for_update()
            .filter(email__iexact=email.strip(), erased_at__isnull=True)
            .first()
        )
        registration = participant and _registration_for_fresh_links(participant)
        if registration is None:
            return False
        if not form_mail_allowed(participant=participant, now=now):
            logger.info(
                "Daily mail limit reached for participant %s; no fresh links", participant.pk
            )
            return False
        participant_links_withdraw(participant=participant)
        ParticipantMail.objects.create(
            registration=registration, template=FRESH_LINKS, created_at=now
        )
    return True


# --- the export log ---------------------------------------------------------------------------


def export_record(
    *, user, kind: str, description: str = "", participant=None, rows: int | None = None
) -> ExportRecord:
    """Log an export by staff before the file is handed out: who, when, what."""
    return ExportRecord.objects.create(
        kind=kind,
        user=user if user and user.is_authenticated else None,
        username=user.get_username() if user and user.is_authenticated else "",
        participant=participant,
        description=description[:2000],
        rows=rows,
    )


# --- erasure ----------------------------------------------------------------------------------


def _still_running(participant, *, today):
    """Live registrations in stages of a programme that has not ended yet."""
    return Registration.objects.filter(
        participant=participant, stage__programme__end_date__gte=today
    ).exclude(status=Status.CANCELLED)


def participant_erase(*, participant, by=None, now=None) -> Participant:
    """Replace the person's personal data with anonymous values; keep what the funder counts.

    Kept: role, municipality, sex, subjects, language, registrations (status, dates, consent
    version and time), attendance and hours, certificates (number, hours, dates, verification
    code). Replaced or removed: names, e-mail (a unique ``erased-<id>@erased.invalid``), phone,
    institution, the certificates' holder name, reasons typed for cancelling, the outbox's
    payloads and errors (unsent mails are not sent), reminder errors, names matched in Zoom
    reports, the person's name and address in stored Zoom reports, names in the admin's change
    log; all personal links stop working. Refused while the person has a live registration in a
    programme that has not ended: cancel it first. Erasing twice changes nothing.
    ``by`` is the staff user (None for the retention task).
    """
    now = now or timezone.now()
    with transaction.atomic():
        participant = Participant.objects.select_for_update().get(pk=participant.pk)
        if participant.erased_at is not None:
            return participant
        if _still_running(participant, today=timezone.localdate(now)).exists():
            raise ErasureRefused(
                _(
                    "%(name)s still has a registration in a programme that has not ended. "
                    "Cancel it first."
                )
                % {"name": participant.full_name},
                code="running",
            )
        identifiers = _identifiers(participant)
        _scrub_zoom_imports(participant, identifiers)
        ZoomAlias.objects.filter(participant=participant).delete()
        _anonymise_participant(participant, now=now)
        _anonymise_related(participant)
        _anonymise_admin_log(participant)
        logger.info(
            "Personal data of participant %s erased by %s",
            participant.pk,
            by.get_username() if by else "the retention task",
        )
    return participant


def _identifiers(participant) -> list[str]:
    """What identifies the person in free text: e-mail, names both ways round, Zoom aliases."""
    found = {
        participant.email,
        f"{participant.first_name} {participant.last_name}",
        f"{participant.last_name} {participant.first_name}",
        *ZoomAlias.objects.filter(participant=participant).values_list("label", flat=True),
    }
    return sorted((text for text in found if text.strip()), key=len, reverse=True)


def _scrub(value, pattern):
    if isinstance(value, str):
        return pattern.sub(ERASED_TEXT, value)
    if isinstance(value, list):
        return [_scrub(item, pattern) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, pattern) for key, item in value.items()}
    return value


def _scrub_zoom_imports(participant, identifiers):
    """The person's name and address in the stored Zoom reports of their sessions."""
    if not identifiers:
        return
    pattern = re.compile("|".join(re.escape(text) for text in identifiers), re.IGNORECASE)
    sessions = Attendance.objects.filter(participant=participant).values("session_id")
    stages = Registration.objects.filter(participant=participant).values("stage_id")
    imports = ZoomImport.objects.filter(Q(session__in=sessions) | Q(session__stage__in=stages))
    for zoom_import in imports.only("pk", "content", "ignored", "warnings"):
        changed = {
            "content": _scrub(zoom_import.content, pattern),
            "ignored": _scrub(zoom_import.ignored, pattern),
            "warnings": _scrub(zoom_import.warnings, pattern),
        }
        if any(changed[name] != getattr(zoom_import, name) for name in changed):
            ZoomImport.objects.filter(pk=zoom_import.pk).update(**changed)


def _anonymise_participant(participant, *, now):
    Participant.objects.filter(pk=participant.pk).update(
        first_name=ERASED_FIRST_NAME,
        last_name=ERASED_LAST_NAME,
        email=erased_email(participant),
        phone="",
        institution="",
        erased_at=now,
        link_version=F("link_version") + 1,
        updated_at=now,
    )
    participant.refresh_from_db()


def _anonymise_related(participant):
    registrations = Registration.objects.filter(participant=participant)
    registrations.update(cancellation_reason="")
    Certificate.objects.filter(participant=participant).update(
        holder_name=f"{ERASED_FIRST_NAME} {ERASED_LAST_NAME}"
    )
    mails = ParticipantMail.objects.filter(registration__in=registrations)
    mails.filter(status__in=UNSENT_MAIL).update(status=ParticipantMail.Status.SKIPPED)
    mails.update(payload={}, last_error="")
    reminders = ReminderDelivery.objects.filter(registration__in=registrations)
    reminders.filter(status__in=UNSENT_REMINDER).update(status=ReminderDelivery.Status.CANCELLED)
    reminders.update(last_error="")
    # The attendance history keeps ids, statuses and minutes only; a reason typed by hand may
    # name the person.
    Attendance.history.filter(participant_id=participant.pk).update(history_change_reason=None)


def _anonymise_admin_log(participant):
    """The admin's change log shows each object as it was named then ("Līga Ērgle <...>")."""
    text = f"{ERASED_FIRST_NAME} {ERASED_LAST_NAME} (#{participant.pk})"
    objects = {
        Participant: [participant.pk],
        Registration: Registration.objects.filter(participant=participant).values_list(
            "pk", flat=True
        ),
        Certificate: Certificate.objects.filter(participant=participant).values_list(
            "pk", flat=True
        ),
        Attendance: Attendance.objects.filter(participant=participant).values_list("pk", flat=True),
    }
    for model, pks in objects.items():
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        LogEntry.objects.filter(
            content_type=content_type, object_id__in=[str(pk) for pk in pks]
        ).update(object_repr=text)


# --- retention --------------------------------------------------------------------------------


def retention_days() -> int:
    return settings.PERSONAL_DATA_RETENTION_DAYS


def retention_period() -> str:
    """``PERSONAL_DATA_RETENTION_DAYS`` in words for the privacy notice: whole years as years."""
    days = retention_days()
    if days and days % 365 == 0:
        years = days // 365
        return ngettext("%(count)d year", "%(count)d years", years) % {"count": years}
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}


def erasure_date(programme):
    """The day the programme's personal data are erased (``PERSONAL_DATA_RETENTION_DAYS`` after
    its end date)."""
    return programme.end_date + timedelta(days=retention_days())


def programmes_past_retention(*, today):
    return Programme.objects.filter(end_date__lt=today - timedelta(days=retention_days()))


def personal_data_erase_expired(*, now=None) -> int:
    """The daily retention task: erase everyone whose programmes all ended more than
    ``PERSONAL_DATA_RETENTION_DAYS`` ago, and empty those programmes' stored Zoom reports.

    Returns how many people were erased.
    """
    now = now or timezone.now()
    expired = programmes_past_retention(today=timezone.localdate(now))
    people = (
        Participant.objects.filter(
            erased_at__isnull=True, registrations__stage__programme__in=expired
        )
        .exclude(registrations__stage__programme__in=Programme.objects.exclude(pk__in=expired))
        .distinct()
    )
    erased = 0
    for participant in people.iterator():
        participant_erase(participant=participant, now=now)
        erased += 1
    ZoomImport.objects.filter(session__stage__programme__in=expired).exclude(content="").update(
        content="", ignored=[], warnings=[]
    )
    return erased
