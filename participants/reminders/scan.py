"""Session reminders: the rules, the scan for due reminders, staff's "send reminder now".

This module only records: it writes the due deliveries and returns the ids to send. Queueing
them for the Celery senders is ``participants.reminders.tasks``; sending is
``participants.reminders.delivery``. How "exactly once" holds (see also the README's
"Reminders" section):

1. The scan (Celery beat, every minute; or ``manage.py send_due_reminders``) records every due
   reminder as a ``ReminderDelivery`` row with ``INSERT ... SELECT ... ON CONFLICT DO NOTHING
   RETURNING id`` under the unique key (registration, session, kind): only the rows its own
   statement inserted are handed to the senders. A second scan, or one running at the same
   moment, inserts nothing for the same key and so hands out nothing.
2. The send task claims its rows with one ``UPDATE ... SET status='claimed' WHERE id IN (...)
   AND status='pending'`` (or a stale claim, or a failure due for retry), committed before any
   mail goes out, and sends only the rows now carrying its token. A redelivered or duplicated
   task finds nothing left to claim. The UPDATE filters on the delivery table's own columns only,
   so PostgreSQL re-checks them on a concurrently changed row (a join or subquery there would
   not be re-checked).
3. A worker that dies between claim and send leaves a "claimed" row. Once it is older than
   ``REMINDER_CLAIM_STALE_SECONDS`` (longer than the send task's hard time limit, so the first
   worker is surely gone) the scan queues it again. A sent row is never claimed again. Each row
   is marked sent (and committed) right after the mail server accepted its mail.
4. SMTP failures are recorded (attempts, last error) and retried by the scan with an
   exponential back-off, up to ``REMINDER_MAX_ATTEMPTS``; nothing is sent after the session has
   started: such rows become "missed".
5. Only a registration that held its seat by the due moment qualifies, and taking a seat always
   stamps ``confirmed_at`` with its moment, so a (rule, session) pair recorded after its due
   moment has nothing left to find: the scan marks it (``ReminderScanMark``, keyed by the due
   moment, the session's stage and the rule's kind) once the due moment is
   ``MARK_RECORDED_AFTER`` past, and later scans skip it until a move or a rule edit changes
   the key. Points 2-4 work on existing rows and do not look at the marks.
6. One scan records at most about ``REMINDER_SCAN_MAX_ROWS`` new rows, or for about
   ``REMINDER_SCAN_MAX_SECONDS`` (it stops after the statement that reaches either; the commit
   then checks the new rows' foreign keys, about as long again), so a burst (a new rule making
   a reminder due for everyone at once) is spread over a few minutes' scans instead of one scan
   running long. The due pairs
   are taken in order of their session's start, so the most urgent reminders go first; the
   pairs left over are not marked, and the next scan finds them due as before.
"""

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from courses.models import (
    DEFAULT_BEFORE_MINUTES,
    DEFAULT_DAY_BEFORE_TIME,
    Programme,
    ReminderRule,
    Session,
)
from participants.models import Registration, ReminderDelivery, ReminderScanMark

logger = logging.getLogger(__name__)

RIGA = ZoneInfo("Europe/Riga")
Status = ReminderDelivery.Status
# A day-before reminder can come up to two days ahead (the day before at 00:00 of a session at
# 23:59); the scan looks that far ahead, or further when a rule's offset is longer.
DAY_BEFORE_LOOKAHEAD = timedelta(days=2)
# SQLite allows at most 500 SELECTs in one UNION ALL; one statement takes this many (rule,
# session) pairs (with 20-40 seats a stage, at most some 8 000 rows).
PAIRS_PER_STATEMENT = 200
# A (rule, session) pair is marked fully recorded only when its due moment is this far behind
# the scan: a seat taken just before the due moment may still be committing (its confirmed_at
# is stamped before the commit), and the hosts' clocks may differ a little.
MARK_RECORDED_AFTER = timedelta(minutes=5)


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
    ``skipped``: covered by a reminder staff sent moments before. ``delivery_ids``: the rows to
    hand to the senders (the new ones and the retries), not part of the counts."""

    queued: int = 0
    retried: int = 0
    missed: int = 0
    skipped: int = 0
    rules_created: int = 0
    deferred: int = 0  # due (rule, session) pairs left for the next scan (a burst)
    delivery_ids: list[int] = field(default_factory=list, repr=False, compare=False)

    def as_dict(self):
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "delivery_ids"}

    def __str__(self):
        return ", ".join(
            f"{name.replace('_', ' ')}: {value}" for name, value in self.as_dict().items()
        )


def reminders_record_due(*, now=None) -> ScanSummary:
    """One scan: record the due reminders, take the retries, mark the missed ones.

    Commits before it returns; ``delivery_ids`` of the result are the rows to send, claimed
    for this scan so that no other scan hands them out again until the claim is stale. Queue
    them with ``participants.reminders.tasks`` (``reminders_send_due`` does both).
    """
    now = now or timezone.now()
    token = uuid4().hex
    summary = ScanSummary()
    for programme in programmes_without_rules():
        summary.rules_created += reminder_rules_ensure_defaults(programme=programme)
    summary.missed += deliveries_mark_missed(now=now)
    with transaction.atomic():
        pairs = due_pairs_by_urgency(due_rule_sessions(now=now))
        max_rows = setting("REMINDER_SCAN_MAX_ROWS", 20_000)
        deadline = time.monotonic() + setting("REMINDER_SCAN_MAX_SECONDS", 2.0)
        recorded, done = [], defaultdict(dict)
        for start in range(0, len(pairs), PAIRS_PER_STATEMENT):
            if start and (len(recorded) >= max_rows or time.monotonic() >= deadline):
                summary.deferred = len(pairs) - start
                break
            part = pairs[start : start + PAIRS_PER_STATEMENT]
            recorded += deliveries_record_due(pairs=part, now=now, token=token, position=start)
            for rule, session, moment in part:
                done[rule][session] = moment
        scan_marks_record(due=done, now=now)
        queued_ids = [pk for pk, status in recorded if status == Status.PENDING]
        retried_ids = deliveries_requeue(now=now, token=token)
    summary.delivery_ids = queued_ids + retried_ids
    statuses = [status for _, status in recorded]
    summary.queued, summary.retried = len(queued_ids), len(retried_ids)
    summary.missed += statuses.count(Status.MISSED)
    summary.skipped = statuses.count(Status.SKIPPED)
    return summary


def due_pairs_by_urgency(due) -> list[tuple]:
    """The due (rule, session, moment) triples, the session starting first first.

    Every scan records its rows in this one order (and within a pair by registration), so two
    scans at once take the unique keys in the same order and never wait on each other in a
    cycle, however their statements are cut.
    """
    return sorted(
        (
            (rule, session, moment)
            for rule, sessions in due.items()
            for session, moment in sessions.items()
        ),
        key=lambda pair: (pair[1].starts_at, pair[1].pk, pair[0].pk),
    )


def due_rule_sessions(*, now) -> dict[ReminderRule, dict[Session, "DueMoment"]]:
    """For each rule, the sessions whose reminder by it is due at ``now`` and its due moment.

    Sessions that started within the missed-lookback are included: their due reminders that
    were never recorded (the scan was not running) are recorded as missed. Pairs an earlier
    scan marked as fully recorded (for the same due moment) are left out.
    """
    all_rules = list(ReminderRule.objects.filter(active=True))
    if not all_rules:
        return {}
    window = {
        "starts_at__gt": now - missed_lookback(),
        "starts_at__lte": now + lookahead(all_rules),
    }
    sessions = list(Session.objects.filter(**window).select_related("stage"))
    rules_of_stage = rules_for_stages({s.stage for s in sessions})
    marked = scan_marks_in_window(window)
    due = defaultdict(dict)
    for session in sessions:
        moments = {
            rule: reminder_due_at(rule=rule, starts_at=session.starts_at)
            for rule in rules_of_stage[session.stage_id]
        }
        moments = {rule: due_at for rule, due_at in moments.items() if due_at <= now}
        latest = max(moments.values(), default=None)
        for rule, due_at in moments.items():
            if scan_mark_key(rule, session, due_at) not in marked:
                due[rule][session] = DueMoment(due_at, superseded=due_at < latest)
    return due


def scan_mark_key(rule, session, due_at) -> tuple:
    return (rule.pk, session.pk, session.stage_id, rule.key, due_at)


def scan_marks_in_window(window) -> set[tuple]:
    """The keys of the marks of the sessions in the scan's window (one query)."""
    marks = ReminderScanMark.objects.filter(
        **{f"session__{lookup}": value for lookup, value in window.items()}
    )
    return set(marks.values_list("rule_id", "session_id", "stage_id", "kind", "due_at"))


def scan_marks_record(*, due, now) -> None:
    """Mark the pairs just recorded whose due moment is safely past: later scans skip them.

    Runs in the scan's transaction right after the recording statements, so a mark never
    outlives its rows. Two scans at once may both mark a pair: the second mark is dropped. Marks
    go in one order (session, rule) in every scan, so two scans' mark inserts never wait on
    each other in a cycle.
    """
    pairs = sorted(
        (
            (rule, session, moment)
            for rule, sessions in due.items()
            for session, moment in sessions.items()
        ),
        key=lambda pair: (pair[1].pk, pair[0].pk),
    )
    marks = [
        ReminderScanMark(
            rule=rule,
            session=session,
            stage_id=session.stage_id,
            kind=rule.key,
            due_at=moment.at,
        )
        for rule, session, moment in pairs
        if moment.at <= now - MARK_RECORDED_AFTER
    ]
    if marks:
        ReminderScanMark.objects.bulk_create(marks, ignore_conflicts=True, batch_size=500)


@dataclass(frozen=True)
class DueMoment:
    """When a rule's reminder of a session was due; ``superseded`` when a later rule's is due
    too (the scan was not running, or the rule is new): only the latest one is sent then, the
    others are recorded as skipped, so nobody gets two reminders of one session at once."""

    at: datetime
    superseded: bool = False


# One statement records the due reminders of many (rule, session) pairs: it selects the confirmed
# registrations that got their seat by the due moment and have no delivery of this kind yet, and
# inserts their rows; ON CONFLICT DO NOTHING turns a row another scan inserted meanwhile into
# nothing, and RETURNING gives back only the rows this statement inserted: the ones it owns.
# (Plain SQL that PostgreSQL and SQLite 3.35+ both run; the ORM has no INSERT ... SELECT.)
RECORD_DUE_SQL = """
INSERT INTO {delivery} (registration_id, session_id, rule_id, kind, status, due_at, created_at,
                        claim_token, claimed_at, attempts, last_error)
SELECT r.id, s.id, due.rule_id, due.kind,
       CASE WHEN s.starts_at <= %s THEN '{missed}'
            WHEN due.superseded = 1 THEN '{skipped}'
            WHEN EXISTS (SELECT 1 FROM {delivery} m
                         WHERE m.registration_id = r.id AND m.session_id = s.id
                           AND m.kind = '{manual}' AND m.status IN ({reached})
                           AND m.created_at >= %s) THEN '{skipped}'
            ELSE '{pending}' END,
       due.due_at, %s, %s, %s, 0, ''
FROM ({due_rows}) due
JOIN {session} s ON s.id = due.session_id
JOIN {registration} r ON r.stage_id = s.stage_id
WHERE r.status = '{confirmed}'
  AND COALESCE(r.confirmed_at, r.email_confirmed_at, r.created_at) <= due.due_at
  AND NOT EXISTS (SELECT 1 FROM {delivery} d
                  WHERE d.registration_id = r.id AND d.session_id = s.id AND d.kind = due.kind)
ORDER BY due.position, r.id
ON CONFLICT DO NOTHING
RETURNING id, status
"""
DUE_ROW_SQL = (
    "SELECT %s AS position, %s AS session_id, %s AS rule_id, %s AS kind, %s AS due_at,"
    " %s AS superseded"
)


def deliveries_record_due(*, pairs, now, token, position=0) -> list[tuple[int, str]]:
    """Insert a delivery for every confirmed registration of the pairs' sessions that has none
    of the rule's kind yet. ``pairs``: (rule, session, DueMoment) triples in the scan's order
    (``position`` is the first one's place in it).

    A registration that got its seat after the due moment gets no row: that reminder was stale
    before it was theirs. Rows of sessions that have started are inserted as missed, rows that
    staff's "send now" covered moments ago as skipped. Returns the inserted (id, status) pairs.
    """
    adapt = connection.ops.adapt_datetimefield_value
    sql = RECORD_DUE_SQL.format(
        delivery=ReminderDelivery._meta.db_table,
        session=Session._meta.db_table,
        registration=Registration._meta.db_table,
        due_rows=" UNION ALL ".join([DUE_ROW_SQL] * len(pairs)),
        reached=", ".join(f"'{s}'" for s in (Status.PENDING, Status.CLAIMED, Status.SENT)),
        manual=ReminderDelivery.MANUAL,
        confirmed=Registration.Status.CONFIRMED,
        missed=Status.MISSED,
        skipped=Status.SKIPPED,
        pending=Status.PENDING,
    )
    params = [adapt(now), adapt(now - manual_repeat_window())]
    params += [adapt(now), token, adapt(now)]
    for offset, (rule, session, due) in enumerate(pairs):
        params += [position + offset, session.pk, rule.pk, rule.key]
        params += [adapt(due.at), int(due.superseded)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def send_batches(delivery_ids, *, size) -> list[list[int]]:
    """The rows to send cut into the senders' batches, each of whole sessions.

    A sender builds each session's mail once per batch and fills it in for each person
    (``delivery.BatchMessages``), so a session split over two batches is built twice. The
    sessions keep the order of ``delivery_ids`` (the scan's: the most urgent first) and are added
    to a batch until it holds ``size`` rows or more; a session that would take it past twice
    ``size`` starts the next one, and only a session of more than twice ``size`` rows is cut (into
    pieces of ``size``). One query.
    """
    session_of = dict(
        ReminderDelivery.objects.filter(pk__in=delivery_ids).values_list("pk", "session_id")
    )
    by_session = defaultdict(list)  # in the order of each session's first row
    for pk in delivery_ids:
        by_session[session_of.get(pk)].append(pk)
    pieces = []
    for ids in by_session.values():
        step = size if len(ids) > 2 * size else len(ids)
        pieces += [ids[start : start + step] for start in range(0, len(ids), step)]
    batches, current = [], []
    for piece in pieces:
        if current and len(current) + len(piece) > 2 * size:
            batches.append(current)
            current = []
        current = current + piece
        if len(current) >= size:
            batches.append(current)
            current = []
    if current:
        batches.append(current)
    return batches


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


def deliveries_requeue(*, now, token) -> list[int]:
    """Take the rows that need another try for this scan (one conditional UPDATE)."""
    candidate_ids = list(
        ReminderDelivery.objects.filter(
            requeue_condition(now=now), session__starts_at__gt=now
        ).values_list("pk", flat=True)
    )
    if not candidate_ids:
        return []
    ReminderDelivery.objects.filter(requeue_condition(now=now), pk__in=candidate_ids).update(
        status=Status.PENDING, claim_token=token, claimed_at=now
    )
    return list(
        ReminderDelivery.objects.filter(pk__in=candidate_ids, claim_token=token).values_list(
            "pk", flat=True
        )
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


# --- "send reminder now" ----------------------------------------------------------------------


@dataclass
class ManualSummary:
    queued: int = 0
    skipped: int = 0
    started: bool = False
    delivery_ids: list[int] = field(default_factory=list, repr=False, compare=False)


def reminders_record_now(*, session, requested_by=None, now=None) -> ManualSummary:
    """Staff's "send reminder now": a reminder to every confirmed registration of the session.

    Recorded as ``kind="manual"`` deliveries. It never doubles a reminder: a registration that
    has one being sent, or one sent (scheduled or manual) within REMINDER_MANUAL_REPEAT_SECONDS,
    is skipped, so a second click sends nothing; and a scheduled reminder falling due within
    that window after a manual one is recorded as "skipped". Scheduled reminders later on still
    go out. Nothing is sent once the session has started. Commits before it returns;
    ``delivery_ids`` of the result are the rows to send (``tasks.reminders_send_now`` queues
    them).
    """
    now = now or timezone.now()
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
    return ManualSummary(queued=len(queued_ids), skipped=skipped, delivery_ids=queued_ids)


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
