"""Sending reminders: claim the rows, render each mail in the person's language, send, record.

A row is sent only by the call whose claim changed it (see ``participants.reminders.scan`` for
the whole exactly-once design); the claim is committed before any mail goes out.

A batch goes out over one SMTP connection. The mail of one session in one language is rendered
and encoded once per batch, and each person's mail is those bytes with their name, manage link
and recipient filled in (``participants.reminders.prepared``); a batch holds whole sessions
(``scan.send_batches``), so each session's mail is built once, not once for every batch it would
be cut into. The batch goes in groups of
``MARK_EVERY`` rows: the group's seats are checked (one query), its mails sent, and the ones the
mail server accepted are marked sent in one committed UPDATE. The group is marked also when the
sending stops with an exception (an SMTP error, the task's soft time limit), so only a process
killed outright between a mail's acceptance and its group's mark (SIGKILL, the hard time limit,
the machine or the database going down) leaves sent rows "claimed": they are sent again once the
claim is stale, at most ``MARK_EVERY`` mails per killed sender. Marking each row on its own
(one commit and disk flush each) cut that to one mail but made the delivery about half as fast;
``bench/smtp_delivery.py`` measures the options (the README's "Performance" section).

Only a person who still has a seat is reminded: the claim leaves out (and records as
"cancelled") rows whose registration is no longer confirmed, and each group's seats are checked
once more right before its mails are sent, so a cancellation committed after the scan, or before
the group's turn, stops the reminder.
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from uuid import uuid4
from zoneinfo import ZoneInfo

from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db.models import F
from django.utils import dateformat, timezone, translation

from courses.models import Session
from participants import links
from participants.calendar import calendar_for_sessions
from participants.links import manage_url
from participants.mail import render_participant_mail
from participants.models import Registration, ReminderDelivery
from participants.reminders.prepared import PreparedReminder, person_reminder, shared_reminder
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
    claimed, cancelled = deliveries_claim(delivery_ids=delivery_ids, now=now, token=token)
    summary = SendSummary(
        not_claimed=len(set(delivery_ids)) - claimed - cancelled, cancelled=cancelled
    )
    if not claimed:
        return summary
    deliveries = claimed_deliveries(token=token)
    messages = BatchMessages(now=now)
    connection = connection or get_connection()
    with connection:
        for start in range(0, len(deliveries), MARK_EVERY):
            group = deliveries[start : start + MARK_EVERY]
            group_send(
                group=group,
                seats_checked=start == 0,  # the claim has just checked the first group's
                rest=deliveries[start + MARK_EVERY :],
                messages=messages,
                connection=connection,
                token=token,
                summary=summary,
            )
    return summary


# Rows marked sent in one committed UPDATE (and checked for a seat in one query): what a sender
# killed outright can send twice. Half a batch (REMINDER_SEND_BATCH_SIZE = 50): two marks a batch.
MARK_EVERY = 25


def group_send(*, group, seats_checked, rest, messages, connection, token, summary):
    """Check the group's seats, send its mails, mark the accepted ones sent (also when stopped)."""
    if seats_checked:
        seated = {delivery.registration_id for delivery in group}
    else:
        seated = seated_registration_ids(group)
    accepted = []
    untried = list(group)
    try:
        while untried:
            delivery = untried.pop(0)
            if delivery.registration_id not in seated:
                summary.cancelled += delivery_mark_cancelled(delivery=delivery, token=token)
                continue
            message = messages.for_delivery(delivery)
            if delivery_send(
                delivery=delivery, message=message, connection=connection, token=token
            ):
                accepted.append(delivery)
            else:
                summary.failed += 1
    except BaseException:
        # Stopped (e.g. the soft time limit): the rows not yet tried go back to the queue; the
        # one in flight stays claimed and is retried once its claim is stale.
        deliveries_release(deliveries=[*untried, *rest], token=token)
        raise
    finally:
        summary.sent += len(accepted)
        deliveries_mark_sent(deliveries=accepted, token=token)


def claimed_deliveries(*, token):
    """The rows this sender claimed, with everything their mail needs (two queries: the
    sessions with their stage and programme once each, not once per row)."""
    rows = list(
        ReminderDelivery.objects.filter(claim_token=token, status=Status.CLAIMED)
        .select_related("registration__participant")
        .order_by("pk")
    )
    sessions = Session.objects.select_related("stage__programme").in_bulk(
        {row.session_id for row in rows}
    )
    for row in rows:
        row.session = sessions[row.session_id]
    return rows


def deliveries_claim(*, delivery_ids, now, token) -> tuple[int, int]:
    """Take the rows for this sender (committed at once, before anything is sent); the rows a
    sender could take whose registration no longer holds a seat are recorded as cancelled and
    never sent. Returns (claimed, cancelled)."""
    rows = ReminderDelivery.objects.filter(
        pk__in=delivery_ids, session__starts_at__gt=now
    ).values_list("pk", "registration__status")
    seated, gone = [], []
    for pk, status in rows:
        (seated if status == Registration.Status.CONFIRMED else gone).append(pk)
    cancelled = claimed = 0
    if gone:
        cancelled = ReminderDelivery.objects.filter(retry_condition(now=now), pk__in=gone).update(
            status=Status.CANCELLED, next_attempt_at=None
        )
    if seated:
        claimed = ReminderDelivery.objects.filter(retry_condition(now=now), pk__in=seated).update(
            status=Status.CLAIMED, claim_token=token, claimed_at=now, attempts=F("attempts") + 1
        )
    return claimed, cancelled


def seated_registration_ids(deliveries) -> set[int]:
    """Checked right before a group's mails go out: a cancellation meanwhile stops them."""
    return set(
        Registration.objects.filter(
            pk__in=[d.registration_id for d in deliveries],
            status=Registration.Status.CONFIRMED,
        ).values_list("pk", flat=True)
    )


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
    """Send one claimed delivery. False when the mail server refused it (recorded as a failure,
    retried later); marking it sent is the caller's (``deliveries_mark_sent``)."""
    try:
        mail_send(message=message, connection=connection)
    except (smtplib.SMTPException, OSError) as error:
        delivery_record_failure(delivery=delivery, token=token, error=error)
        connection.close()  # the next message opens a fresh connection
        return False
    return True


def mail_send(*, message, connection):
    """Send over the backend's open SMTP connection the bytes prepared for this person (Django's
    SMTP backend would parse and check the addresses again); other backends get the message."""
    if isinstance(message, PreparedReminder) and isinstance(connection, SMTPBackend):
        if connection.connection is None:
            connection.open()
        connection.connection.sendmail(message.envelope_from, message.to, message.wire)
        return
    message.connection = connection
    message.send()


def deliveries_mark_sent(*, deliveries, token) -> int:
    """Record the mails the server accepted as sent: one UPDATE for the group, committed.

    A row taken over meanwhile (its claim went stale and another sender took it) is left alone.
    """
    if not deliveries:
        return 0
    updated = ReminderDelivery.objects.filter(
        pk__in=[d.pk for d in deliveries], claim_token=token, status=Status.CLAIMED
    ).update(status=Status.SENT, sent_at=timezone.now(), last_error="")
    if updated < len(deliveries):
        logger.warning(
            "%s of %s reminder deliveries were sent but taken over meanwhile",
            len(deliveries) - updated,
            len(deliveries),
        )
    return updated


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
    """The reminder e-mail for one delivery, with the session's .ics attached, built the
    ordinary way (``BatchMessages`` fills in a shared one instead where it can).

    ``parts(session, language)`` gives the ``SessionParts`` (pass a ``batch_session_parts`` to
    build them once per batch).
    """
    parts = parts or batch_session_parts(now=None)
    registration = delivery.registration
    participant = registration.participant
    return reminder_mail(
        parts(delivery.session, participant.language),
        participant=participant,
        registration=registration,
        link=manage_url(registration),
    )


def reminder_mail(shared, *, participant, registration, link):
    return render_participant_mail(
        participant=participant,
        template="reminder",
        context={**shared.context, "registration": registration, "manage_url": link},
        attachments=[("session.ics", shared.ics, "text/calendar")],
    )


MANAGE_VIEW = "participants:registration_manage"  # what links.manage_url reverses
SIGNED_STAND_IN = "Zq7ReminderSigned"  # takes the signed part's place


class BatchMessages:
    """The reminders of one batch: each session's mail in each language rendered and encoded
    once (``prepared.shared_reminder``), then filled in for each person."""

    def __init__(self, *, now):
        self.parts = batch_session_parts(now=now)
        self.shared = {}
        self.around_token = {}  # language: the manage link before and after the token

    def manage_url(self, registration):
        """``links.manage_url``, with the URL reversed once per language (the tests compare)."""
        language = registration.participant.language
        if language not in self.around_token:
            url = links.absolute_url(MANAGE_VIEW, token=SIGNED_STAND_IN, language=language)
            before, _, after = url.partition(SIGNED_STAND_IN)
            self.around_token[language] = before, after
        before, after = self.around_token[language]
        return before + links.make_token(registration, salt=links.MANAGE_SALT) + after

    def for_delivery(self, delivery):
        registration = delivery.registration
        participant = registration.participant
        key = (delivery.session_id, participant.language)
        if key not in self.shared:
            parts = self.parts(delivery.session, participant.language)
            self.shared[key] = shared_reminder(
                build_message=lambda person, registration, link: reminder_mail(
                    parts, participant=person, registration=registration, link=link
                ),
                language=participant.language,
            )
        link = self.manage_url(registration)
        shared = self.shared[key]
        prepared = shared and person_reminder(
            shared, name=participant.full_name, email=participant.email, link=link
        )
        if prepared is not None:
            return prepared
        return reminder_mail(
            self.parts(delivery.session, participant.language),
            participant=participant,
            registration=registration,
            link=link,
        )
