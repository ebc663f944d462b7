"""The scan skips (rule, session) pairs it has fully recorded, until their due moment changes."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import requires_postgres
from courses.models import ReminderRule, Session
from courses.tests.factories import StageFactory
from participants.models import ReminderDelivery, ReminderScanMark
from participants.reminders.scan import (
    MARK_RECORDED_AFTER,
    DueMoment,
    reminder_due_at,
    scan_marks_record,
)
from participants.reminders.tasks import reminders_send_due
from participants.tests import test_reminder_helpers as helpers
from participants.tests.test_reminder_helpers import (
    confirmed,
    hour_before_rule,
    make_session,
    only_rule,
    riga,
    run_at_once,
)

pytestmark = pytest.mark.django_db

programme = helpers.programme
run_scan = helpers.run_scan

SESSION_START = riga(2027, 3, 15, 10, 0)
BOOKED = riga(2027, 2, 1, 12, 0)
ELEVEN_DAYS = 11 * 24 * 60
DELIVERY_TABLE = ReminderDelivery._meta.db_table


def recording_statements(queries):
    return [
        q["sql"] for q in queries if q["sql"].lstrip().startswith(f"INSERT INTO {DELIVERY_TABLE}")
    ]


def sessions_with_people(programme, *, sessions, people):
    made = []
    for _ in range(sessions):
        session = make_session(SESSION_START, stage=StageFactory(programme=programme))
        for _ in range(people):
            confirmed(session.stage, seat_at=BOOKED)
        made.append(session)
    return made


def move(session, *, by=None, stage=None):
    fields = {}
    if by is not None:
        fields.update(starts_at=session.starts_at + by, ends_at=session.ends_at + by)
    if stage is not None:
        fields.update(stage=stage)
    Session.objects.filter(pk=session.pk).update(**fields)
    session.refresh_from_db()


@pytest.mark.parametrize("sessions", [1, 6])
def test_a_second_scan_does_not_check_a_recorded_pair_again(
    programme, run_scan, time_machine, django_assert_max_num_queries, sessions
):
    only_rule(programme, kind=ReminderRule.Kind.BEFORE, offset_minutes=ELEVEN_DAYS)
    sessions_with_people(programme, sessions=sessions, people=3)
    due_at = SESSION_START - timedelta(minutes=ELEVEN_DAYS)
    time_machine.move_to(due_at + timedelta(hours=1), tick=False)
    assert run_scan().queued == 3 * sessions
    assert ReminderScanMark.objects.count() == sessions

    time_machine.move_to(due_at + timedelta(hours=1, minutes=1), tick=False)
    with CaptureQueriesContext(connection) as captured:
        with django_assert_max_num_queries(9):
            summary = run_scan()

    assert summary.queued == 0
    assert recording_statements(captured.captured_queries) == []


def test_a_pair_due_moments_ago_is_checked_again_until_safely_past(
    programme, run_scan, time_machine
):
    hour_before_rule(programme)
    [session] = sessions_with_people(programme, sessions=1, people=1)
    due_at = SESSION_START - timedelta(minutes=60)
    time_machine.move_to(due_at + timedelta(minutes=1), tick=False)
    assert run_scan().queued == 1
    assert not ReminderScanMark.objects.exists()

    # A seat taken just before the due moment whose transaction committed after that scan.
    confirmed(session.stage, seat_at=due_at - timedelta(seconds=1))
    time_machine.move_to(due_at + MARK_RECORDED_AFTER, tick=False)
    assert run_scan().queued == 1

    [mark] = ReminderScanMark.objects.all()
    assert (mark.rule.key, mark.session_id, mark.due_at) == ("before_60", session.pk, due_at)
    assert ReminderDelivery.objects.filter(session=session).count() == 2


def test_moving_a_session_makes_its_reminder_due_again(programme, run_scan, time_machine):
    hour_before_rule(programme)
    [session] = sessions_with_people(programme, sessions=1, people=1)
    time_machine.move_to(SESSION_START - timedelta(minutes=50), tick=False)
    assert run_scan().queued == 1
    late = confirmed(session.stage, seat_at=SESSION_START - timedelta(minutes=45))
    time_machine.move_to(SESSION_START - timedelta(minutes=40), tick=False)
    assert run_scan().queued == 0  # the seat came after the reminder's moment

    move(session, by=timedelta(days=1))
    time_machine.move_to(session.starts_at - timedelta(minutes=50), tick=False)

    assert run_scan().queued == 1
    assert ReminderDelivery.objects.filter(session=session, registration=late).count() == 1
    assert ReminderDelivery.objects.filter(session=session).count() == 2
    assert ReminderScanMark.objects.filter(session=session).count() == 2


def test_moving_a_session_to_another_stage_reminds_that_stage(programme, run_scan, time_machine):
    hour_before_rule(programme)
    [session] = sessions_with_people(programme, sessions=1, people=1)
    other_stage = StageFactory(programme=programme)
    newcomer = confirmed(other_stage, seat_at=BOOKED)
    time_machine.move_to(SESSION_START - timedelta(minutes=50), tick=False)
    assert run_scan().queued == 1

    move(session, stage=other_stage)
    time_machine.move_to(SESSION_START - timedelta(minutes=49), tick=False)

    assert run_scan().queued == 1
    assert ReminderDelivery.objects.filter(session=session, registration=newcomer).count() == 1


def test_editing_a_rule_makes_its_reminders_due_again(programme, run_scan, time_machine):
    rule = hour_before_rule(programme)
    [session] = sessions_with_people(programme, sessions=1, people=1)
    time_machine.move_to(SESSION_START - timedelta(minutes=50), tick=False)
    assert run_scan().queued == 1

    rule.offset_minutes = 30
    rule.save()
    time_machine.move_to(SESSION_START - timedelta(minutes=20), tick=False)

    assert run_scan().queued == 1
    kinds = sorted(ReminderDelivery.objects.filter(session=session).values_list("kind", flat=True))
    assert kinds == ["before_30", "before_60"]


def test_a_pair_marked_by_two_scans_at_once_keeps_one_mark(programme):
    rule = hour_before_rule(programme)
    [session] = sessions_with_people(programme, sessions=1, people=1)
    due = DueMoment(reminder_due_at(rule=rule, starts_at=session.starts_at))
    now = due.at + MARK_RECORDED_AFTER

    scan_marks_record(due={rule: {session: due}}, now=now)
    scan_marks_record(due={rule: {session: due}}, now=now)

    assert ReminderScanMark.objects.filter(rule=rule, session=session).count() == 1


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_four_scans_at_once_record_and_mark_each_pair_once(programme):
    only_rule(programme, kind=ReminderRule.Kind.BEFORE, offset_minutes=ELEVEN_DAYS)
    ReminderRule.objects.create(programme=programme, kind="before", offset_minutes=60)
    with_people = sessions_with_people(programme, sessions=3, people=4)
    empty = sessions_with_people(programme, sessions=3, people=0)
    now = SESSION_START - timedelta(minutes=30)
    queued = []

    errors = run_at_once(4, lambda: reminders_send_due(now=now, dispatch=queued.extend))

    assert errors == []
    assert len(queued) == len(set(queued)) == 3 * 4  # the 60-minute reminder, once each
    assert ReminderDelivery.objects.count() == 2 * 3 * 4  # the 11-day one recorded as skipped
    pairs = ReminderScanMark.objects.values_list("rule__offset_minutes", "session_id")
    assert sorted(pairs) == sorted(
        (offset, session.pk) for offset in (60, ELEVEN_DAYS) for session in with_people + empty
    )
