"""Session reminders: which are due, claiming them so each goes once, sending them.

How "exactly once" holds (see also the README's "Reminders" section):

1. The scan (Celery beat, every minute; or ``manage.py send_due_reminders``) records every due
   reminder as a ``ReminderDelivery`` row with ``INSERT ... ON CONFLICT DO NOTHING`` under the
   unique key (registration, session, kind). It then reads back the rows carrying its own claim
   token: only those it inserted. A second scan, or one running at the same moment, inserts
   nothing for the same key and so queues nothing.
2. The send task claims its rows with one ``UPDATE ... SET status='claimed' WHERE id IN (...)
   AND status='pending'`` (or a stale claim, or a failure due for retry), committed before any
   mail goes out, and sends only the rows now carrying its token. A redelivered or duplicated
   task finds nothing left to claim. The UPDATE filters on the delivery table's own columns only,
   so PostgreSQL re-checks them on a concurrently changed row (a join or subquery there would
   not be re-checked).
3. A worker that dies between claim and send leaves a "claimed" row. Once it is older than
   ``REMINDER_CLAIM_STALE_SECONDS`` (longer than the send task's hard time limit, so the first
   worker is surely gone) the scan queues it again. A sent row is never claimed again.
4. SMTP failures are recorded (attempts, last error) and retried by the scan with an
   exponential back-off, up to ``REMINDER_MAX_ATTEMPTS``; nothing is sent after the session has
   started: such rows become "missed".
"""

import logging
import smtplib
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import dateformat, timezone, translation

from courses.models import (
    DEFAULT_BEFORE_MINUTES,
    DEFAULT_DAY_BEFORE_TIME,
    Programme,
    ReminderRule,
    Session,
)
from participants.calendar import calendar_for_sessions
from participants.links import manage_url
from participants.mail import render_participant_mail
from participants.models import Registration, ReminderDelivery

logger = logging.getLogger(__name__)

RIGA = ZoneInfo("Europe/Riga")
Status = ReminderDelivery.Status
UNFINISHED = (Status.PENDING, Status.CLAIMED, Status.FAILED)
# A day-before reminder can come up to two days ahead (the day before at 00:00 of a session at
# 23:59); the scan looks that far ahead, or further when a rule's offset is longer.
DAY_BEFORE_LOOKAHEAD = timedelta(days=2)


def setting(name, default):
    return getattr(settings, name, default)


def claim_stale_after() -> timedelta:
    return timedelta(seconds=setting("REMINDER_CLAIM_STALE_SECONDS", 300))


def missed_lookback() -> timedelta:
    return timedelta(hours=setting("REMINDER_MISSED_LOOKBACK_HOURS", 24))


def manual_repeat_window() -> timedelta:
    return timedelta(seconds=setting("REMINDER_MANUAL_REPEAT_SECONDS", 600))


def retry_delay(attempts: int) -> timedelta:
    """The back-off after the ``attempts``-th failure: 1, 2, 4, 8 ... minutes by default."""
    base = setting("REMINDER_RETRY_BACKOFF_SECONDS", 60)
    return timedelta(seconds=base * 2 ** max(attempts - 1, 0))


# --- rules ------------------------------------------------------------------------------------


def reminder_rules_ensure_defaults(*, programme) -> int:
    """Give ``programme`` the default rules when it has none at all; returns how many were made.

    Defaults: the day before at 18:00 Riga time (the evening before, when people plan their next
    day) and 60 minutes before the start. Safe to call any time and from several processes at
    once: a programme with any rule (active or not) is left alone, and the unique constraints
    turn a concurrent second insert into nothing.
    """
    if ReminderRule.objects.filter(programme=programme).exists():
        return 0
    defaults = [
        ReminderRule(
            programme=programme,
            kind=ReminderRule.Kind.DAY_BEFORE,
            local_time=DEFAULT_DAY_BEFORE_TIME,
        ),
        ReminderRule(
            programme=programme,
            kind=ReminderRule.Kind.BEFORE,
            offset_minutes=DEFAULT_BEFORE_MINUTES,
        ),
    ]
    return len(ReminderRule.objects.bulk_create(defaults, ignore_conflicts=True))


def programmes_without_rules():
    return Programme.objects.filter(~Exists(ReminderRule.objects.filter(programme=OuterRef("pk"))))


def rules_for_stages(stages) -> dict[int, list[ReminderRule]]:
    """The active rules that apply to each stage: its own when it has any, else the programme's."""
    rules = list(ReminderRule.objects.filter(active=True))
    own = defaultdict(list)
    of_programme = defaultdict(list)
    for rule in rules:
        if rule.stage_id:
            own[rule.stage_id].append(rule)
        else:
            of_programme[rule.programme_id].append(rule)
    return {
        stage.pk: own.get(stage.pk) or of_programme.get(stage.programme_id, []) for stage in stages
    }


def reminder_due_at(*, rule, starts_at: datetime) -> datetime:
    """The moment ``rule`` reminds of a session starting at ``starts_at``.

    "The day before" is a wall-clock time in Riga on the previous calendar day, so it stays
    18:00 on both sides of a daylight-saving change (the UTC moment moves by an hour).
    """
    if rule.kind == ReminderRule.Kind.DAY_BEFORE:
        day_before = timezone.localtime(starts_at, RIGA).date() - timedelta(days=1)
        return datetime.combine(day_before, rule.local_time, tzinfo=RIGA)
    return starts_at - timedelta(minutes=rule.offset_minutes)


def lookahead(rules) -> timedelta:
    offsets = [timedelta(minutes=r.offset_minutes) for r in rules if r.offset_minutes]
    return max([DAY_BEFORE_LOOKAHEAD, *offsets])


# --- the scan ---------------------------------------------------------------------------------


@dataclass
class ScanSummary:
    """What one scan did. ``queued``: new reminders handed to the senders; ``retried``: stale
    claims and failures queued again; ``missed``: reminders whose session had started;
    ``skipped``: covered by a reminder staff sent moments before."""

    queued: int = 0
    retried: int = 0
    missed: int = 0
    skipped: int = 0
    rules_created: int = 0

    def as_dict(self):
        return asdict(self)

    def __str__(self):
        return ", ".join(
            f"{name.replace('_', ' ')}: {value}" for name, value in asdict(self).items()
        )


def reminders_send_due(*, now=None, dispatch=None) -> ScanSummary:
    """One scan: record the due reminders, queue them and the retries, mark the missed ones.

    ``dispatch(delivery_ids)`` hands the queued rows to the senders once the transaction
    commits; the default enqueues Celery tasks in batches.
    """
    now = now or timezone.now()
    dispatch = dispatch or enqueue_sending
    token = uuid4().hex
    summary = ScanSummary()
    for programme in programmes_without_rules():
        summary.rules_created += reminder_rules_ensure_defaults(programme=programme)
    summary.missed += deliveries_mark_missed(now=now)
    with transaction.atomic():
        for rule, due_sessions in due_rule_sessions(now=now).items():
            recorded = deliveries_record_due(
                rule=rule, due_sessions=due_sessions, now=now, token=token
            )
            summary.missed += recorded[Status.MISSED]
            summary.skipped += recorded[Status.SKIPPED]
        summary.retried = deliveries_requeue(now=now, token=token)
        queued_ids = list(
            ReminderDelivery.objects.filter(claim_token=token, status=Status.PENDING).values_list(
                "pk", flat=True
            )
        )
        summary.queued = len(queued_ids) - summary.retried
        if queued_ids:
            dispatch(queued_ids)
    return summary


def due_rule_sessions(*, now) -> dict[ReminderRule, dict[Session, datetime]]:
    """For each rule, the sessions whose reminder by it is due at ``now`` and its due moment.

    Sessions that started within the missed-lookback are included: their due reminders that
    were never recorded (the scan was not running) are recorded as missed.
    """
    all_rules = list(ReminderRule.objects.filter(active=True))
    if not all_rules:
        return {}
    sessions = Session.objects.filter(
        starts_at__gt=now - missed_lookback(), starts_at__lte=now + lookahead(all_rules)
    ).select_related("stage")
    sessions = list(sessions)
    rules_of_stage = rules_for_stages({s.stage for s in sessions})
    due = defaultdict(dict)
    for session in sessions:
        for rule in rules_of_stage[session.stage_id]:
            due_at = reminder_due_at(rule=rule, starts_at=session.starts_at)
            if due_at <= now:
                due[rule][session] = due_at
    return due


def seat_taken_at():
    """When a registration got its seat (the due moment is compared with it)."""
    return Coalesce("confirmed_at", "email_confirmed_at", "created_at")


def deliveries_record_due(*, rule, due_sessions, now, token) -> dict[str, int]:
    """Insert a delivery for every confirmed registration of the sessions that has none yet.

    A registration that got its seat after the due moment gets no row: that reminder was
    stale before it was theirs. Returns how many rows of each status this call inserted.
    """
    candidates = (
        Registration.objects.filter(
            status=Registration.Status.CONFIRMED, stage__sessions__in=list(due_sessions)
        )
        .annotate(session_pk=F("stage__sessions"), seat_at=seat_taken_at())
        .filter(
            ~Exists(
                ReminderDelivery.objects.filter(
                    registration=OuterRef("pk"), session=OuterRef("session_pk"), kind=rule.key
                )
            )
        )
        .annotate(covered=covered_by_manual(now=now))
        # One order for every scan, so that two scans inserting at once never deadlock.
        .order_by("session_pk", "pk")
        .values_list("pk", "session_pk", "seat_at", "covered")
    )
    due_by_pk = {session.pk: (session, due_at) for session, due_at in due_sessions.items()}
    rows = []
    for registration_pk, session_pk, seat_at, covered in candidates.iterator(chunk_size=5000):
        session, due_at = due_by_pk[session_pk]
        if seat_at > due_at:
            continue
        status = initial_status(session=session, covered=covered, now=now)
        rows.append(
            ReminderDelivery(
                registration_id=registration_pk,
                session_id=session_pk,
                rule=rule,
                kind=rule.key,
                status=status,
                due_at=due_at,
                claim_token=token,
                claimed_at=now,
            )
        )
    ReminderDelivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    return inserted_counts(token=token, rule=rule)


def initial_status(*, session, covered, now):
    if session.starts_at <= now:
        return Status.MISSED
    if covered:
        return Status.SKIPPED
    return Status.PENDING


def inserted_counts(*, token, rule):
    inserted = ReminderDelivery.objects.filter(
        claim_token=token, rule=rule, status__in=(Status.MISSED, Status.SKIPPED)
    )
    counts = defaultdict(int)
    for status in inserted.values_list("status", flat=True):
        counts[status] += 1
    return counts


def covered_by_manual(*, now):
    """True when staff's "send now" reached the registration for the session moments ago."""
    return Exists(
        ReminderDelivery.objects.filter(
            registration=OuterRef("pk"),
            session=OuterRef("session_pk"),
            kind=ReminderDelivery.MANUAL,
            status__in=(Status.PENDING, Status.CLAIMED, Status.SENT),
            created_at__gte=now - manual_repeat_window(),
        )
    )


def retry_condition(*, now):
    """Rows a sender may take: queued, claimed by a worker that is gone, or failed and due."""
    return (
        Q(status=Status.PENDING)
        | Q(status=Status.CLAIMED, claimed_at__lt=now - claim_stale_after())
        | Q(status=Status.FAILED, next_attempt_at__lte=now)
    )


def requeue_condition(*, now):
    """Rows the scan queues again: lost from the queue, stale claims and failures due."""
    stale = now - claim_stale_after()
    return Q(status__in=(Status.PENDING, Status.CLAIMED), claimed_at__lt=stale) | Q(
        status=Status.FAILED, next_attempt_at__lte=now
    )


def deliveries_requeue(*, now, token) -> int:
    """Take the rows that need another try for this scan (one conditional UPDATE)."""
    candidate_ids = list(
        ReminderDelivery.objects.filter(
            requeue_condition(now=now), session__starts_at__gt=now
        ).values_list("pk", flat=True)
    )
    if not candidate_ids:
        return 0
    return ReminderDelivery.objects.filter(requeue_condition(now=now), pk__in=candidate_ids).update(
        status=Status.PENDING, claim_token=token, claimed_at=now
    )


def deliveries_mark_missed(*, now) -> int:
    """Unsent reminders of sessions that have started: never sent late, recorded as missed.

    A claim still being worked on (not stale) is left to its worker; a failure that will not be
    retried (no next attempt) stays "failed".
    """
    missable = Q(status=Status.PENDING) | Q(status=Status.FAILED, next_attempt_at__isnull=False)
    missable |= Q(status=Status.CLAIMED, claimed_at__lt=now - claim_stale_after())
    ids = list(
        ReminderDelivery.objects.filter(missable, session__starts_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    if not ids:
        return 0
    return ReminderDelivery.objects.filter(missable, pk__in=ids).update(
        status=Status.MISSED, next_attempt_at=None
    )


def enqueue_sending(delivery_ids):
    """Queue the rows for the Celery senders once the surrounding transaction commits."""
    from participants.reminder_tasks import send_reminders  # the tasks import this module

    size = setting("REMINDER_SEND_BATCH_SIZE", 50)
    for start in range(0, len(delivery_ids), size):
        batch = list(delivery_ids[start : start + size])
        transaction.on_commit(lambda batch=batch: send_reminders.delay(batch))


# --- "send reminder now" ----------------------------------------------------------------------


@dataclass
class ManualSummary:
    queued: int = 0
    skipped: int = 0
    started: bool = False


def reminders_send_now(*, session, requested_by=None, now=None, dispatch=None) -> ManualSummary:
    """Staff's "send reminder now": a reminder to every confirmed registration of the session.

    Recorded as ``kind="manual"`` deliveries. It never doubles a reminder: a registration that
    has one being sent, or one sent (scheduled or manual) within REMINDER_MANUAL_REPEAT_SECONDS,
    is skipped, so a second click sends nothing; and a scheduled reminder falling due within
    that window after a manual one is recorded as "skipped". Scheduled reminders later on still
    go out. Nothing is sent once the session has started.
    """
    now = now or timezone.now()
    dispatch = dispatch or enqueue_sending
    if session.starts_at <= now:
        return ManualSummary(started=True)
    token = uuid4().hex
    with transaction.atomic():
        # Serialise clicks for one session: the second waits here and then sees the first's rows.
        Session.objects.select_for_update().filter(pk=session.pk).first()
        registrations = Registration.objects.filter(
            stage_id=session.stage_id, status=Registration.Status.CONFIRMED
        )
        recent = recently_reminded(session=session, now=now)
        skipped = registrations.filter(pk__in=recent).count()
        rows = [
            ReminderDelivery(
                registration_id=pk,
                session=session,
                kind=ReminderDelivery.MANUAL,
                due_at=now,
                claim_token=token,
                claimed_at=now,
                requested_by=requested_by,
            )
            for pk in registrations.exclude(pk__in=recent).values_list("pk", flat=True)
        ]
        ReminderDelivery.objects.bulk_create(rows)
        queued_ids = list(
            ReminderDelivery.objects.filter(claim_token=token).values_list("pk", flat=True)
        )
        if queued_ids:
            dispatch(queued_ids)
    return ManualSummary(queued=len(queued_ids), skipped=skipped)


def recently_reminded(*, session, now):
    """Registrations of ``session`` with a reminder on its way or sent within the window."""
    window_start = now - manual_repeat_window()
    return (
        ReminderDelivery.objects.filter(session=session)
        .filter(
            Q(status__in=(Status.PENDING, Status.CLAIMED))
            | Q(status=Status.SENT, sent_at__gte=window_start)
        )
        .values("registration_id")
    )


# --- sending ----------------------------------------------------------------------------------


@dataclass
class SendSummary:
    sent: int = 0
    failed: int = 0
    not_claimed: int = 0


def reminder_deliveries_send(*, delivery_ids, now=None, connection=None) -> SendSummary:
    """Claim the given deliveries and send each claimed one, over one SMTP connection.

    Safe to call with the same ids any number of times, from any number of workers: a row is
    sent only by the call whose claim changed it. Rows of sessions that have started are left
    for the scan to mark missed.
    """
    now = now or timezone.now()
    token = uuid4().hex
    claimed = deliveries_claim(delivery_ids=delivery_ids, now=now, token=token)
    summary = SendSummary(not_claimed=len(set(delivery_ids)) - claimed)
    if not claimed:
        return summary
    deliveries = list(
        ReminderDelivery.objects.filter(claim_token=token, status=Status.CLAIMED).select_related(
            "registration__participant", "session__stage__programme", "rule"
        )
    )
    connection = connection or get_connection()
    with connection:
        for index, delivery in enumerate(deliveries):
            try:
                delivered = delivery_send(delivery=delivery, connection=connection, token=token)
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


def deliveries_claim(*, delivery_ids, now, token) -> int:
    """Take the rows for this sender (committed at once, before anything is sent)."""
    sendable_ids = list(
        ReminderDelivery.objects.filter(
            pk__in=delivery_ids, session__starts_at__gt=now
        ).values_list("pk", flat=True)
    )
    if not sendable_ids:
        return 0
    return ReminderDelivery.objects.filter(retry_condition(now=now), pk__in=sendable_ids).update(
        status=Status.CLAIMED, claim_token=token, claimed_at=now, attempts=F("attempts") + 1
    )


def deliveries_release(*, deliveries, token):
    """Give rows not yet tried back to the queue (the task is being stopped)."""
    ids = [d.pk for d in deliveries]
    ReminderDelivery.objects.filter(pk__in=ids, claim_token=token, status=Status.CLAIMED).update(
        status=Status.PENDING, attempts=F("attempts") - 1
    )


def delivery_send(*, delivery, connection, token) -> bool:
    """Send one claimed delivery; record the result. False when the mail server refused it."""
    message = reminder_message(delivery)
    message.connection = connection
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        delivery_record_failure(delivery=delivery, token=token, error=error)
        connection.close()  # the next message opens a fresh connection
        return False
    updated = ReminderDelivery.objects.filter(
        pk=delivery.pk, claim_token=token, status=Status.CLAIMED
    ).update(status=Status.SENT, sent_at=timezone.now(), last_error="")
    if not updated:
        logger.warning("Reminder delivery %s was sent but taken over meanwhile", delivery.pk)
    return True


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


def reminder_context(delivery) -> dict:
    session = delivery.session
    registration = delivery.registration
    language = registration.participant.language
    with translation.override(language):
        topic = session.topic
        stage_title = session.stage.title
    return {
        "registration": registration,
        "session": session,
        "programme": session.stage.programme,
        "topic": topic,
        "stage_title": stage_title,
        "when": session_when(session, language=language),
        "zoom_url": session.zoom_url if session.is_online else "",
        "venue": session.venue if session.is_onsite else "",
        "trainer": session.trainer,
        "manage_url": manage_url(registration),
        "is_day_before": delivery.kind == "day_before",
    }


def reminder_message(delivery):
    """The reminder e-mail for one delivery, with the session's .ics attached."""
    participant = delivery.registration.participant
    ics = calendar_for_sessions([delivery.session], language=participant.language)
    return render_participant_mail(
        participant=participant,
        template="reminder",
        context=reminder_context(delivery),
        attachments=[("session.ics", ics, "text/calendar")],
    )
