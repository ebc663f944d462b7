"""Session reminders: on time, exactly once, only to those with a seat, missed rather than late."""

import smtplib
from datetime import time, timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command

from courses.models import ReminderRule
from courses.tests.factories import StageFactory
from participants import services
from participants.models import ReminderDelivery
from participants.reminders import delivery as reminder_delivery
from participants.reminders import scan as reminder_scan
from participants.reminders.delivery import reminder_deliveries_send
from participants.reminders.scan import (
    claim_stale_after,
    reminder_due_at,
    reminder_rules_ensure_defaults,
)
from participants.reminders.tasks import reminders_scan, reminders_send_due, send_reminders
from participants.tests import test_reminder_helpers as helpers
from participants.tests.factories import RegistrationFactory
from participants.tests.test_reminder_helpers import (
    Status,
    confirmed,
    day_before_rule,
    deliveries,
    hour_before_rule,
    make_session,
    riga,
)

pytestmark = pytest.mark.django_db

# Fixtures shared by the reminder tests.
programme = helpers.programme
run_scan = helpers.run_scan

SESSION_START = riga(2027, 3, 15, 10, 0)
BOOKED = riga(2027, 3, 1, 12, 0)


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


# --- rules ------------------------------------------------------------------------------------


def test_a_programme_gets_the_default_rules_once(programme):
    assert reminder_rules_ensure_defaults(programme=programme) == 2
    assert reminder_rules_ensure_defaults(programme=programme) == 0

    rules = {(r.kind, r.local_time, r.offset_minutes) for r in programme.reminder_rules.all()}
    assert rules == {("day_before", time(18, 0), None), ("before", None, 60)}


def test_a_programme_whose_rules_are_switched_off_keeps_them_off(programme):
    ReminderRule.objects.create(
        programme=programme, kind=ReminderRule.Kind.BEFORE, offset_minutes=60, active=False
    )

    assert reminder_rules_ensure_defaults(programme=programme) == 0
    assert programme.reminder_rules.count() == 1


def test_the_scan_gives_a_programme_without_rules_the_defaults(programme, run_scan, time_machine):
    time_machine.move_to(riga(2027, 3, 1), tick=False)

    summary = run_scan()

    assert summary.rules_created == 2
    assert programme.reminder_rules.filter(active=True).count() == 2


def test_a_stage_with_rules_of_its_own_uses_only_those(programme, run_scan, time_machine):
    hour_before_rule(programme)
    session = make_session(SESSION_START)
    ReminderRule.objects.create(
        programme=programme, stage=session.stage, kind="before", offset_minutes=30
    )
    other = make_session(SESSION_START)
    confirmed(session.stage, seat_at=BOOKED, email="own@example.lv")
    confirmed(other.stage, seat_at=BOOKED, email="programme@example.lv")

    time_machine.move_to(SESSION_START - timedelta(minutes=60), tick=False)
    run_scan()
    assert recipients() == ["programme@example.lv"]

    time_machine.move_to(SESSION_START - timedelta(minutes=30), tick=False)
    run_scan()
    assert recipients() == ["own@example.lv", "programme@example.lv"]


# --- due moments and the daylight-saving changes ----------------------------------------------


@pytest.mark.parametrize(
    ("session_start", "due_local", "due_utc_hour"),
    [
        # The night of 27-28 March 2021 moves the clocks forward: both sides stay 18:00 in Riga.
        (riga(2021, 3, 28, 10), riga(2021, 3, 27, 18), 16),
        (riga(2021, 3, 29, 10), riga(2021, 3, 28, 18), 15),
        # The night of 30-31 October 2021 moves them back.
        (riga(2021, 10, 31, 10), riga(2021, 10, 30, 18), 15),
        (riga(2021, 11, 1, 10), riga(2021, 10, 31, 18), 16),
    ],
)
def test_the_day_before_reminder_is_at_18_riga_time_across_dst(
    session_start, due_local, due_utc_hour
):
    rule = ReminderRule(kind="day_before", local_time=time(18, 0))

    due = reminder_due_at(rule=rule, starts_at=session_start)

    assert due == due_local
    assert due.astimezone(riga(2021, 1, 1).tzinfo).hour == 18
    assert due.utcoffset() is not None and (due - due.utcoffset()).hour == due_utc_hour


@pytest.mark.parametrize(
    ("session_start", "shown"),
    [
        (riga(2021, 3, 28, 10), "2021. gada 28. marts, 10:00–13:00"),
        (riga(2021, 10, 31, 10), "2021. gada 31. oktobris, 10:00–13:00"),
    ],
)
def test_the_day_before_reminder_fires_at_18_and_shows_riga_time_on_dst_days(
    programme, run_scan, time_machine, session_start, shown
):
    day_before_rule(programme)
    session = make_session(session_start, topic_lv="Eksaktās zinātnes")
    confirmed(session.stage, seat_at=session_start - timedelta(days=20))
    due = riga(session_start.year, session_start.month, session_start.day - 1, 18, 0)

    time_machine.move_to(due - timedelta(minutes=1), tick=False)
    run_scan()
    assert mail.outbox == []

    time_machine.move_to(due, tick=False)
    run_scan()
    assert len(mail.outbox) == 1
    assert shown in mail.outbox[0].body
    assert shown in mail.outbox[0].subject


def test_the_hour_before_reminder_fires_at_its_moment_not_before(programme, run_scan, time_machine):
    hour_before_rule(programme)
    session = make_session(SESSION_START)
    confirmed(session.stage, seat_at=BOOKED)

    time_machine.move_to(SESSION_START - timedelta(minutes=61), tick=False)
    assert run_scan().queued == 0
    time_machine.move_to(SESSION_START - timedelta(minutes=60), tick=False)
    assert run_scan().queued == 1

    assert len(mail.outbox) == 1
    [delivery] = deliveries()
    assert (delivery.kind, delivery.status) == ("before_60", Status.SENT)
    assert delivery.sent_at == SESSION_START - timedelta(minutes=60)


# --- exactly once ------------------------------------------------------------------------------


def test_a_second_scan_sends_nothing_more(programme, run_scan, time_machine):
    reminder_rules_ensure_defaults(programme=programme)
    session = make_session(SESSION_START)
    confirmed(session.stage, seat_at=BOOKED)
    confirmed(session.stage, seat_at=BOOKED)
    counts = []

    for moment in (riga(2027, 3, 14, 18, 0), riga(2027, 3, 14, 18, 1)):
        time_machine.move_to(moment, tick=False)
        counts.append(run_scan().queued)
    for minutes in (60, 59):
        time_machine.move_to(SESSION_START - timedelta(minutes=minutes), tick=False)
        counts.append(run_scan().queued)

    # The day-before and the hour-before reminder, for each of two people, once.
    assert counts == [2, 0, 2, 0]
    assert len(mail.outbox) == 4
    assert sorted(d.kind for d in deliveries()) == ["before_60"] * 2 + ["day_before"] * 2


def test_when_two_reminders_of_a_session_are_due_at_once_only_the_later_one_goes(
    programme, run_scan, time_machine
):
    reminder_rules_ensure_defaults(programme=programme)
    session = make_session(SESSION_START)
    confirmed(session.stage, seat_at=BOOKED)

    time_machine.move_to(SESSION_START - timedelta(minutes=50), tick=False)  # scan was down
    summary = run_scan()

    assert (summary.queued, summary.skipped) == (1, 1)
    assert {(d.kind, d.status) for d in deliveries()} == {
        ("day_before", Status.SKIPPED),
        ("before_60", Status.SENT),
    }
    assert len(mail.outbox) == 1


def test_the_database_refuses_a_second_scheduled_delivery(programme):
    session = make_session(SESSION_START)
    registration = confirmed(session.stage, seat_at=BOOKED)
    fields = {"registration": registration, "session": session, "due_at": SESSION_START}
    ReminderDelivery.objects.create(kind="before_60", **fields)

    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderDelivery.objects.create(kind="before_60", **fields)
    ReminderDelivery.objects.create(kind="manual", **fields)
    ReminderDelivery.objects.create(kind="manual", **fields)


def test_a_redelivered_send_task_sends_nothing_more(programme, run_scan, time_machine):
    hour_before_rule(programme)
    session = make_session(SESSION_START)
    confirmed(session.stage, seat_at=BOOKED)
    time_machine.move_to(SESSION_START - timedelta(minutes=60), tick=False)
    run_scan()
    [delivery] = deliveries()

    result = send_reminders.delay([delivery.pk]).get()

    assert result == {"sent": 0, "failed": 0, "not_claimed": 1, "cancelled": 0}
    assert len(mail.outbox) == 1


def test_a_claim_left_by_a_dead_worker_is_sent_once_it_is_stale(programme, run_scan, time_machine):
    hour_before_rule(programme)
    session = make_session(SESSION_START)
    registration = confirmed(session.stage, seat_at=BOOKED)
    claimed_at = SESSION_START - timedelta(minutes=60)
    ReminderDelivery.objects.create(
        registration=registration,
        session=session,
        kind="before_60",
        due_at=claimed_at,
        status=Status.CLAIMED,
        claimed_at=claimed_at,
        attempts=1,
    )

    time_machine.move_to(claimed_at + timedelta(minutes=4), tick=False)
    assert run_scan().retried == 0
    assert mail.outbox == []

    time_machine.move_to(claimed_at + timedelta(minutes=5, seconds=1), tick=False)
    assert run_scan().retried == 1
    [delivery] = deliveries()
    assert (delivery.status, delivery.attempts) == (Status.SENT, 2)
    assert len(mail.outbox) == 1


def test_a_sent_reminder_is_never_sent_again(programme, run_scan, time_machine):
    hour_before_rule(programme)
    session = make_session(SESSION_START)
    registration = confirmed(session.stage, seat_at=BOOKED)
    long_ago = SESSION_START - timedelta(hours=3)
    delivery = ReminderDelivery.objects.create(
        registration=registration,
        session=session,
        kind="before_60",
        due_at=long_ago,
        status=Status.SENT,
        claimed_at=long_ago,
        sent_at=long_ago,
    )

    time_machine.move_to(SESSION_START - timedelta(minutes=30), tick=False)
    run_scan()
    reminder_deliveries_send(delivery_ids=[delivery.pk])

    assert mail.outbox == []


def test_a_queued_row_whose_task_was_lost_is_queued_again(programme, run_scan, time_machine):
    hour_before_rule(programme)
    session = make_session(SESSION_START)
    confirmed(session.stage, seat_at=BOOKED)
    time_machine.move_to(SESSION_START - timedelta(minutes=60), tick=False)
    reminders_send_due(dispatch=lambda ids: None)  # the queue lost the task
    assert deliveries()[0].status == Status.PENDING

    time_machine.move_to(SESSION_START - timedelta(minutes=54), tick=False)
    summary = run_scan()

    assert (summary.queued, summary.retried) == (0, 1)
    assert len(mail.outbox) == 1


# --- who gets reminders -----------------------------------------------------------------------


def test_only_confirmed_registrations_get_reminders(programme, run_scan, time_machine):
    hour_before_rule(programme)
    session = make_session(SESSION_START)
    confirmed(session.stage, seat_at=BOOKED, email="seat@example.lv")
    RegistrationFactory(stage=session.stage, participant__email="unconfirmed@example.lv")
    RegistrationFactory(stage=session.stage, waiting=True, participant__email="waits@example.lv")
    RegistrationFactory(
        stage=session.stage, cancelled=True, participant__email="cancelled@example.lv"
    )
    later = make_session(SESSION_START + timedelta(days=3), stage=StageFactory())
    confirmed(later.stage, seat_at=BOOKED, email="other-stage@example.lv")

    time_machine.move_to(SESSION_START - timedelta(minutes=60), tick=False)
    run_scan()

    assert recipients() == ["seat@example.lv"]


def test_a_registration_cancelled_after_the_reminder_was_recorded_gets_no_more(
    programme, run_scan, time_machine
):
    reminder_rules_ensure_defaults(programme=programme)
    session = make_session(SESSION_START)
    registration = confirmed(session.stage, seat_at=BOOKED)
    time_machine.move_to(riga(2027, 3, 14, 18, 0), tick=False)
    run_scan()
    services.registration_cancel(registration=registration)

    time_machine.move_to(SESSION_START - timedelta(minutes=60), tick=False)
    run_scan()

    assert [d.kind for d in deliveries()] == ["day_before"]
    assert recipients() == [registration.participant.email]  # the day-before reminder only


@pytest.mark.parametrize("new_status", ["cancelled", "waiting_list"])
def test_a_reminder_recorded_before_the_seat_was_given_up_is_not_sent(
    new_status, programme, time_machine
):
    hour_before_rule(programme)
    session = make_session(SESSION_START)
    registration = confirmed(session.stage, seat_at=BOOKED)
    time_machine.move_to(SESSION_START - timedelta(minutes=60), tick=False)
    queued = []
    reminders_send_due(dispatch=queued.extend)  # recorded and queued, not yet sent
    if new_status == "cancelled":
        services.registration_cancel(registration=registration)
    else:
        services.registration_move_to_waiting_list(registration=registration)

    summary = reminder_deliveries_send(delivery_ids=queued)

    assert mail.outbox == []
    assert (summary.sent, summary.cancelled) == (0, 1)
    [delivery] = deliveries()
    assert (delivery.status, delivery.sent_at) == (Status.CANCELLED, None)
    # A later scan or a redelivered task sends nothing either.
    reminder_deliveries_send(delivery_ids=queued)
    reminders_send_due(dispatch=queued.extend)
    assert mail.outbox == []


def test_a_seat_given_up_while_the_batch_is_being_sent_stops_that_reminder(
    programme, time_machine, monkeypatch
):
    """The claim saw a seat; the check right before the next group's mails sees the
    cancellation (here a group of one, so the second person is in the next group)."""
    monkeypatch.setattr(reminder_delivery, "MARK_EVERY", 1)
    hour_before_rule(programme)
    session = make_session(SESSION_START)
    first = confirmed(session.stage, seat_at=BOOKED, email="first@example.lv")
    second = confirmed(session.stage, seat_at=BOOKED, email="second@example.lv")
    time_machine.move_to(SESSION_START - timedelta(minutes=60), tick=False)
    queued = []
    reminders_send_due(dispatch=queued.extend)
    real_send = reminder_delivery.delivery_send

    def send_then_second_cancels(**kwargs):
        sent = real_send(**kwargs)
        services.registration_cancel(registration=second)
        return sent

    monkeypatch.setattr(reminder_delivery, "delivery_send", send_then_second_cancels)
    summary = reminder_deliveries_send(delivery_ids=queued)

    assert recipients() == [first.participant.email]
    assert (summary.sent, summary.cancelled) == (1, 1)


def test_someone_who_gets_a_seat_after_a_reminders_moment_gets_only_the_later_ones(
    programme, run_scan, time_machine
):
    reminder_rules_ensure_defaults(programme=programme)
    session = make_session(SESSION_START)
    confirmed(session.stage, seat_at=BOOKED, email="early@example.lv")
    confirmed(session.stage, seat_at=riga(2027, 3, 14, 20, 0), email="late@example.lv")

    time_machine.move_to(riga(2027, 3, 14, 21, 0), tick=False)
    run_scan()
    assert recipients() == ["early@example.lv"]

    time_machine.move_to(SESSION_START - timedelta(minutes=60), tick=False)
    run_scan()
    late = [d.kind for d in deliveries(registration__participant__email="late@example.lv")]
    assert late == ["before_60"]
    assert len(mail.outbox) == 3


# --- missed, not late -------------------------------------------------------------------------


def test_a_reminder_not_sent_before_the_session_started_is_marked_missed(
    programme, run_scan, time_machine
):
    hour_before_rule(programme)
    session = make_session(SESSION_START)
    confirmed(session.stage, seat_at=BOOKED)
    time_machine.move_to(SESSION_START - timedelta(minutes=60), tick=False)
    reminders_send_due(dispatch=lambda ids: None)  # recorded, but no worker ran

    time_machine.move_to(SESSION_START + timedelta(minutes=1), tick=False)
    summary = run_scan()

    assert summary.missed == 1
    assert deliveries()[0].status == Status.MISSED
    assert mail.outbox == []


def test_a_reminder_never_recorded_before_the_start_is_recorded_missed_not_sent(
    programme, run_scan, time_machine
):
    hour_before_rule(programme)
    session = make_session(SESSION_START)
    confirmed(session.stage, seat_at=BOOKED)

    time_machine.move_to(SESSION_START + timedelta(minutes=5), tick=False)  # the scan was down
    summary = run_scan()

    assert (summary.queued, summary.missed) == (0, 1)
    assert deliveries()[0].status == Status.MISSED
    assert mail.outbox == []


def test_a_send_task_arriving_after_the_start_sends_nothing(programme, run_scan, time_machine):
    hour_before_rule(programme)
    session = make_session(SESSION_START)
    confirmed(session.stage, seat_at=BOOKED)
    time_machine.move_to(SESSION_START - timedelta(minutes=60), tick=False)
    reminders_send_due(dispatch=lambda ids: None)

    time_machine.move_to(SESSION_START + timedelta(seconds=1), tick=False)
    summary = reminder_deliveries_send(delivery_ids=[deliveries()[0].pk])

    assert summary.sent == 0
    assert mail.outbox == []


# --- SMTP failures ----------------------------------------------------------------------------


class RefusingBackend(LocmemBackend):
    """A mail server that refuses the first ``refusals`` messages."""

    refusals = 1

    def send_messages(self, messages):
        if RefusingBackend.refusals > 0:
            RefusingBackend.refusals -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def refusing_server(settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    RefusingBackend.refusals = 1
    return RefusingBackend


def test_an_smtp_failure_is_retried_after_a_back_off(
    programme, run_scan, time_machine, refusing_server
):
    hour_before_rule(programme)
    session = make_session(SESSION_START)
    confirmed(session.stage, seat_at=BOOKED)
    first_try = SESSION_START - timedelta(minutes=60)

    time_machine.move_to(first_try, tick=False)
    run_scan()
    [delivery] = deliveries()
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 1)
    assert "SMTPServerDisconnected" in delivery.last_error
    assert delivery.next_attempt_at == first_try + timedelta(minutes=1)

    time_machine.move_to(first_try + timedelta(seconds=59), tick=False)
    assert run_scan().retried == 0
    time_machine.move_to(first_try + timedelta(minutes=1), tick=False)
    assert run_scan().retried == 1

    [delivery] = deliveries()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (Status.SENT, 2, "")
    assert len(mail.outbox) == 1


def test_the_back_off_doubles_and_stops_after_the_last_attempt(
    programme, run_scan, time_machine, refusing_server, settings
):
    settings.REMINDER_MAX_ATTEMPTS = 3
    refusing_server.refusals = 10
    hour_before_rule(programme)
    session = make_session(SESSION_START)
    confirmed(session.stage, seat_at=BOOKED)
    moment = SESSION_START - timedelta(minutes=60)
    waits = []

    for _ in range(3):
        time_machine.move_to(moment, tick=False)
        run_scan()
        delivery = deliveries()[0]
        if delivery.next_attempt_at:
            waits.append(delivery.next_attempt_at - moment)
            moment = delivery.next_attempt_at

    assert waits == [timedelta(minutes=1), timedelta(minutes=2)]
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        Status.FAILED,
        3,
        None,
    )
    time_machine.move_to(moment + timedelta(minutes=30), tick=False)
    assert run_scan().retried == 0


# --- the command and the beat schedule --------------------------------------------------------


def test_the_command_runs_one_scan_and_prints_a_summary(
    programme, time_machine, capsys, django_capture_on_commit_callbacks
):
    hour_before_rule(programme)
    session = make_session(SESSION_START)
    confirmed(session.stage, seat_at=BOOKED)
    time_machine.move_to(SESSION_START - timedelta(minutes=60), tick=False)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_due_reminders")

    assert "queued: 1" in capsys.readouterr().out
    assert len(mail.outbox) == 1


def test_the_command_can_send_from_its_own_process(
    programme, time_machine, capsys, django_capture_on_commit_callbacks, settings
):
    hour_before_rule(programme)
    session = make_session(SESSION_START)
    confirmed(session.stage, seat_at=BOOKED)
    time_machine.move_to(SESSION_START - timedelta(minutes=60), tick=False)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_due_reminders", "--here")

    assert "Sent here: 1, failed: 0" in capsys.readouterr().out
    assert len(mail.outbox) == 1


# The scheduler closes stale database connections, as a long-running beat should: that needs a
# transactional test on PostgreSQL (it would close the connection holding the test transaction).
@pytest.mark.django_db(transaction=True)
def test_beat_runs_the_scan_every_minute_and_the_schedule_is_in_the_database(settings):
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    from innovation_centre.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["send-due-reminders"]
    assert entry["task"] == "participants.reminders_scan"
    assert entry["task"] in app.tasks
    assert entry["schedule"] == 60.0

    DatabaseScheduler(app=app)  # what `celery beat` does at start: sync the schedule

    task = PeriodicTask.objects.get(name="send-due-reminders")
    assert task.task == "participants.reminders_scan"
    assert (task.interval.every, task.interval.period) == (60, "seconds")
    assert task.enabled


def test_the_send_task_is_acknowledged_late_and_both_have_time_limits():
    assert send_reminders.acks_late is True
    assert send_reminders.reject_on_worker_lost is True
    assert send_reminders.time_limit == 120
    assert reminders_scan.time_limit < 60
    # A claim is taken over only once its worker is surely gone: after the hard time limit.
    assert claim_stale_after() > timedelta(seconds=send_reminders.time_limit)


def test_many_due_sessions_are_recorded_in_several_statements(
    programme, run_scan, time_machine, monkeypatch
):
    monkeypatch.setattr(reminder_scan, "PAIRS_PER_STATEMENT", 2)
    hour_before_rule(programme)
    for _ in range(5):
        session = make_session(SESSION_START)
        confirmed(session.stage, seat_at=BOOKED)
    time_machine.move_to(SESSION_START - timedelta(minutes=60), tick=False)

    assert run_scan().queued == 5
    assert len(mail.outbox) == 5
