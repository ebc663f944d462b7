"""Sending the outbox: claim rows, build each mail, send, record the result.

Exactly once, as for reminders (``participants.reminders.delivery``): a sender claims rows with one
``UPDATE ... WHERE status = 'pending' (or a stale claim, or a failure due for retry)`` that
filters on the outbox table's own columns only (PostgreSQL re-checks those on a row another
sender changed meanwhile), committed before any mail goes out, and sends only the rows carrying
its token. Each row is marked sent right after the mail server accepted its mail, so a crash
later never resends it. A sender that dies between claim and send leaves a "claimed" row that is
taken again once older than ``PARTICIPANT_MAIL_CLAIM_STALE_SECONDS``. SMTP failures are retried
with a doubling back-off up to ``PARTICIPANT_MAIL_MAX_ATTEMPTS``.
"""

import logging
import smtplib
import time
from dataclasses import asdict, dataclass
from datetime import timedelta
from uuid import uuid4

from django.conf import settings
from django.core.mail import get_connection
from django.db.models import F, Q
from django.utils import timezone

from participants import registration_mail
from participants.models import Registration
from participants.outbox.models import ParticipantMail

logger = logging.getLogger(__name__)

Status = ParticipantMail.Status
# The drain stops taking new batches after this long, well inside its task's time limit.
DRAIN_SECONDS = 30


def setting(name, default):
    return getattr(settings, name, default)


def claim_stale_after() -> timedelta:
    return timedelta(seconds=setting("PARTICIPANT_MAIL_CLAIM_STALE_SECONDS", 300))


def retry_delay(attempts: int) -> timedelta:
    """The back-off after the ``attempts``-th failure: 1, 2, 4, 8 ... minutes by default."""
    base = setting("PARTICIPANT_MAIL_RETRY_BACKOFF_SECONDS", 60)
    return timedelta(seconds=base * 2 ** max(attempts - 1, 0))


def sendable(*, now):
    """Rows a sender may take: waiting, claimed by a sender that is gone, or failed and due."""
    return (
        Q(status=Status.PENDING)
        | Q(status=Status.CLAIMED, claimed_at__lt=now - claim_stale_after())
        | Q(status=Status.FAILED, next_attempt_at__lte=now)
    )


# --- what each mail contains ------------------------------------------------------------------

MESSAGE_BUILDERS = {}


def message_builder(template):
    """Register ``builder(mail) -> EmailMessage`` for outbox rows of ``template``.

    ``builder`` may return None when the mail no longer applies (the row is then "skipped").
    A later kind of mail (e.g. a certificate) registers its own builder in a module the
    workers import (``CELERY_IMPORTS``).
    """

    def register(builder):
        MESSAGE_BUILDERS[template] = builder
        return builder

    return register


def registration_message(mail):
    registration = mail.registration
    if (
        mail.template == "awaiting_confirmation"
        and registration.status != Registration.Status.AWAITING_CONFIRMATION
    ):
        return None  # confirmed (or cancelled) meanwhile: the link would only confuse
    return registration_mail.registration_mail_message(
        registration=registration, template=mail.template, mail=mail
    )


for _template in registration_mail.TEMPLATES:
    message_builder(_template)(registration_message)


# --- sending ----------------------------------------------------------------------------------


@dataclass
class SendSummary:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    not_claimed: int = 0

    def add(self, other):
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)

    def as_dict(self):
        return asdict(self)


def participant_mails_send(*, mail_ids, now=None, connection=None) -> SendSummary:
    """Claim the given rows and send each claimed one, over one SMTP connection.

    Safe to call with the same ids any number of times, from any number of workers.
    """
    now = now or timezone.now()
    token = uuid4().hex
    claimed = mails_claim(mail_ids=mail_ids, now=now, token=token)
    summary = SendSummary(not_claimed=len(set(mail_ids)) - claimed)
    if not claimed:
        return summary
    mails = claimed_mails(token=token)
    connection = connection or get_connection()
    with connection:
        for index, mail in enumerate(mails):
            try:
                outcome = mail_send(mail=mail, connection=connection, token=token)
            except BaseException:
                # Stopped (e.g. the soft time limit): the rows not yet tried go back to the queue.
                mails_release(mails=mails[index + 1 :], token=token)
                raise
            setattr(summary, outcome, getattr(summary, outcome) + 1)
    return summary


def participant_mails_drain(*, now=None, batch_size=None) -> SendSummary:
    """Send what is waiting: new rows whose kick was lost, stale claims, failures due again.

    Runs every minute from beat; batches until nothing is left or ``DRAIN_SECONDS`` passed.
    """
    batch_size = batch_size or setting("PARTICIPANT_MAIL_DRAIN_BATCH_SIZE", 100)
    summary = SendSummary()
    started = time.monotonic()
    while time.monotonic() - started < DRAIN_SECONDS:
        moment = now or timezone.now()
        ids = list(
            ParticipantMail.objects.filter(sendable(now=moment))
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            break
        batch = participant_mails_send(mail_ids=ids, now=moment)
        summary.add(batch)
        if len(ids) < batch_size or batch.not_claimed == len(ids):
            break
    return summary


def mails_claim(*, mail_ids, now, token) -> int:
    """Take the rows for this sender (committed at once, before anything is sent)."""
    if not mail_ids:
        return 0
    return ParticipantMail.objects.filter(sendable(now=now), pk__in=list(mail_ids)).update(
        status=Status.CLAIMED, claim_token=token, claimed_at=now, attempts=F("attempts") + 1
    )


def claimed_mails(*, token):
    """The rows this sender claimed, with what their mail needs (one query)."""
    return list(
        ParticipantMail.objects.filter(claim_token=token, status=Status.CLAIMED)
        .select_related("registration__participant", "registration__stage__programme")
        .order_by("pk")
    )


def mails_release(*, mails, token):
    """Give rows not yet tried back to the queue (the task is being stopped)."""
    ParticipantMail.objects.filter(
        pk__in=[m.pk for m in mails], claim_token=token, status=Status.CLAIMED
    ).update(status=Status.PENDING, attempts=F("attempts") - 1)


def mail_send(*, mail, connection, token) -> str:
    """Send one claimed row; returns "sent", "failed" or "skipped"."""
    builder = MESSAGE_BUILDERS.get(mail.template)
    if builder is None:
        mail_record_failure(mail=mail, token=token, error=LookupError(mail.template), retry=False)
        return "failed"
    try:
        message = builder(mail)
    except Exception as error:  # a broken template or row: retried, then left "failed" for staff
        logger.exception("Participant mail %s could not be built", mail.pk)
        mail_record_failure(mail=mail, token=token, error=error)
        return "failed"
    if message is None:
        mail_finish(mail=mail, token=token, status=Status.SKIPPED)
        return "skipped"
    message.connection = connection
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        mail_record_failure(mail=mail, token=token, error=error)
        connection.close()  # the next message opens a fresh connection
        return "failed"
    if not mail_finish(mail=mail, token=token, status=Status.SENT, sent_at=timezone.now()):
        logger.warning("Participant mail %s was sent but taken over meanwhile", mail.pk)
    return "sent"


def mail_finish(*, mail, token, status, **fields) -> int:
    return ParticipantMail.objects.filter(
        pk=mail.pk, claim_token=token, status=Status.CLAIMED
    ).update(status=status, last_error="", next_attempt_at=None, **fields)


def mail_record_failure(*, mail, token, error, retry=True):
    attempts = mail.attempts  # loaded after the claim, which counted this attempt
    retry = retry and attempts < setting("PARTICIPANT_MAIL_MAX_ATTEMPTS", 5)
    logger.warning("Participant mail %s failed (attempt %s): %s", mail.pk, attempts, error)
    ParticipantMail.objects.filter(pk=mail.pk, claim_token=token, status=Status.CLAIMED).update(
        status=Status.FAILED,
        last_error=f"{type(error).__name__}: {error}"[:1000],
        next_attempt_at=timezone.now() + retry_delay(attempts) if retry else None,
    )
