"""Sending reminders: claim the rows, render each mail in the person's language, send, record.

A row is sent only by the call whose claim changed it (see ``participants.reminders.scan`` for
the whole exactly-once design); the claim is committed before any mail goes out.

A batch goes out over one SMTP connection. What is the same for everyone at one session in one
language (the topic, the Riga date and time, the .ics) is built once per batch; each person's
mail is still rendered and sent on its own, and each row is marked sent as soon as the mail
server has accepted its mail, so a failure or a crash mid-batch never resends the earlier ones.

Only a person who still has a seat is reminded: the claim leaves out (and records as
"cancelled") rows whose registration is no longer confirmed, and each row is checked once more
right before its mail is sent, so a cancellation committed after the scan, or during the
batch, stops the reminder.
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from uuid import uuid4
from zoneinfo import ZoneInfo

from django.core.mail import get_connection
from django.db.models import F
from django.utils import dateformat, timezone, translation

from participants.calendar import calendar_for_sessions
from participants.links import manage_url
from participants.mail import render_participant_mail
from participants.models import Registration, ReminderDelivery
from participants.reminders.scan import retry_condition, retry_delay, setting

logger = logging.getLogger(__name__)

RIGA = ZoneInfo("Europe/Riga")
Status = ReminderDelivery.Status


@dataclass
class SendSummary:
    sent: int = 0
    failed: int = 0
    not_claimed: int = 0
    cancelled: int = 0


def reminder_deliveries_send(*, delivery_ids, now=None, connection=None) -> SendSummary:
    """Claim the given deliveries and send each claimed one, over one SMTP connection.

    Safe to call with the same ids any number of times, from any number of workers: a row is
    sent only by the call whose claim changed it. Rows of sessions that have started are left
    for the scan to mark missed.
    """
    now = now or timezone.now()
    token = uuid4().hex
    cancelled = deliveries_mark_cancelled(delivery_ids=delivery_ids, now=now)
    claimed = deliveries_claim(delivery_ids=delivery_ids, now=now, token=token)
    summary = SendSummary(
        not_claimed=len(set(delivery_ids)) - claimed - cancelled, cancelled=cancelled
    )
    if not claimed:
        return summary
    deliveries = claimed_deliveries(token=token)
    parts = batch_session_parts(now=now)
    connection = connection or get_connection()
    with connection:
        for index, delivery in enumerate(deliveries):
            if not still_seated(delivery):
                summary.cancelled += delivery_mark_cancelled(delivery=delivery, token=token)
                continue
            try:
                message = reminder_message(delivery, parts=parts)
                delivered = delivery_send(
                    delivery=delivery, message=message, connection=connection, token=token
                )
            except BaseException:
                # Stopped (e.g. the soft time limit): the rows not yet tried go back to the
                # queue; the one in flight stays claimed and is retried once its claim is stale.
                deliveries_release(deliveries=deliveries[index + 1 :], token=token)
                raise
            if delivered:
                summary.sent += 1
            else:
                summary.failed += 1
    return summary


def claimed_deliveries(*, token):
    """The rows this sender claimed, with everything their mail needs (one query)."""
    return list(
        ReminderDelivery.objects.filter(claim_token=token, status=Status.CLAIMED)
        .select_related("registration__participant", "session__stage__programme", "rule")
        .order_by("pk")
    )


def deliveries_claim(*, delivery_ids, now, token) -> int:
    """Take the rows for this sender (committed at once, before anything is sent)."""
    sendable_ids = list(
        ReminderDelivery.objects.filter(
            pk__in=delivery_ids,
            session__starts_at__gt=now,
            registration__status=Registration.Status.CONFIRMED,
        ).values_list("pk", flat=True)
    )
    if not sendable_ids:
        return 0
    return ReminderDelivery.objects.filter(retry_condition(now=now), pk__in=sendable_ids).update(
        status=Status.CLAIMED, claim_token=token, claimed_at=now, attempts=F("attempts") + 1
    )


def deliveries_mark_cancelled(*, delivery_ids, now) -> int:
    """Rows a sender could take whose registration no longer holds a seat: never sent."""
    ids = list(
        ReminderDelivery.objects.filter(pk__in=delivery_ids, session__starts_at__gt=now)
        .exclude(registration__status=Registration.Status.CONFIRMED)
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    return ReminderDelivery.objects.filter(retry_condition(now=now), pk__in=ids).update(
        status=Status.CANCELLED, next_attempt_at=None
    )


def still_seated(delivery) -> bool:
    """Checked right before the mail goes out: a cancellation meanwhile stops it."""
    return Registration.objects.filter(
        pk=delivery.registration_id, status=Registration.Status.CONFIRMED
    ).exists()


def delivery_mark_cancelled(*, delivery, token) -> int:
    return ReminderDelivery.objects.filter(
        pk=delivery.pk, claim_token=token, status=Status.CLAIMED
    ).update(status=Status.CANCELLED, next_attempt_at=None)


def deliveries_release(*, deliveries, token):
    """Give rows not yet tried back to the queue (the task is being stopped)."""
    ids = [d.pk for d in deliveries]
    ReminderDelivery.objects.filter(pk__in=ids, claim_token=token, status=Status.CLAIMED).update(
        status=Status.PENDING, attempts=F("attempts") - 1
    )


def delivery_send(*, delivery, message, connection, token) -> bool:
    """Send one claimed delivery; record the result. False when the mail server refused it."""
    message.connection = connection
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        delivery_record_failure(delivery=delivery, token=token, error=error)
        connection.close()  # the next message opens a fresh connection
        return False
    updated = delivery_mark_sent(delivery=delivery, token=token)
    if not updated:
        logger.warning("Reminder delivery %s was sent but taken over meanwhile", delivery.pk)
    return True


def delivery_mark_sent(*, delivery, token) -> int:
    """Record the mail as sent (1), or find the row taken over meanwhile (0).

    One row at a time, right after the mail server accepted its mail (one short statement), so
    a failure or a crash later in the batch leaves it sent.
    """
    return ReminderDelivery.objects.filter(
        pk=delivery.pk, claim_token=token, status=Status.CLAIMED
    ).update(status=Status.SENT, sent_at=timezone.now(), last_error="")


def delivery_record_failure(*, delivery, token, error):
    attempts = delivery.attempts  # loaded after the claim, which counted this attempt
    retry = attempts < setting("REMINDER_MAX_ATTEMPTS", 5)
    logger.warning("Reminder delivery %s failed (attempt %s): %s", delivery.pk, attempts, error)
    ReminderDelivery.objects.filter(
        pk=delivery.pk, claim_token=token, status=Status.CLAIMED
    ).update(
        status=Status.FAILED,
        last_error=f"{type(error).__name__}: {error}"[:1000],
        next_attempt_at=timezone.now() + retry_delay(attempts) if retry else None,
    )


# --- the message ------------------------------------------------------------------------------


def session_when(session, *, language) -> str:
    """The session's date and time in Riga, e.g. "2021. gada 15. marts, 10:00–13:00"."""
    starts = timezone.localtime(session.starts_at, RIGA)
    ends = timezone.localtime(session.ends_at, RIGA)
    with translation.override(language):
        if language == "lv":
            day = dateformat.format(starts, r"Y. \g\a\d\a j. F")
        else:
            day = dateformat.format(starts, "j F Y")
    return f"{day}, {starts:%H:%M}–{ends:%H:%M}"


def session_is_tomorrow(session, *, now=None) -> bool:
    today = timezone.localdate(now or timezone.now(), RIGA)
    return timezone.localdate(session.starts_at, RIGA) == today + timedelta(days=1)


@dataclass(frozen=True)
class SessionParts:
    """What every participant of a session reading one language gets alike."""

    context: dict
    ics: bytes


def session_parts(session, *, language, now=None) -> SessionParts:
    with translation.override(language):
        topic = session.topic
        stage_title = session.stage.title
    context = {
        "session": session,
        "programme": session.stage.programme,
        "topic": topic,
        "stage_title": stage_title,
        "when": session_when(session, language=language),
        "zoom_url": session.zoom_url if session.is_online else "",
        "venue": session.venue if session.is_onsite else "",
        "trainer": session.trainer,
        # "Tomorrow" only when it is true at sending time (a late day-before reminder is not).
        "is_tomorrow": session_is_tomorrow(session, now=now),
    }
    ics = calendar_for_sessions([session], language=language, stamp=now)
    return SessionParts(context=context, ics=ics)


def batch_session_parts(*, now):
    """``session_parts`` built once per (session, language) for one batch."""
    return cache(lambda session, language: session_parts(session, language=language, now=now))


def reminder_message(delivery, *, parts=None):
    """The reminder e-mail for one delivery, with the session's .ics attached.

    ``parts(session, language)`` gives the ``SessionParts`` (pass a ``batch_session_parts`` to
    build them once per batch).
    """
    parts = parts or batch_session_parts(now=None)
    registration = delivery.registration
    participant = registration.participant
    shared = parts(delivery.session, participant.language)
    return render_participant_mail(
        participant=participant,
        template="reminder",
        context={
            **shared.context,
            "registration": registration,
            "manage_url": manage_url(registration),
        },
        attachments=[("session.ics", shared.ics, "text/calendar")],
    )
