"""A burst (a new rule making a reminder due for many at once) is recorded over several scans,
at most about REMINDER_SCAN_MAX_ROWS rows each, the soonest sessions first, each reminder once."""

from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail

from courses.models import ReminderRule
from participants.models import ReminderScanMark
from participants.reminders import scan as reminder_scan
from participants.tests import test_reminder_helpers as helpers
from participants.tests.test_reminder_helpers import (
    Status,
    confirmed,
    deliveries,
    make_session,
    only_rule,
    riga,
)

pytestmark = pytest.mark.django_db

programme = helpers.programme
run_scan = helpers.run_scan

NOW = riga(2027, 3, 1, 9, 30)
BOOKED = riga(2027, 2, 1)


@pytest.fixture
def burst(programme, settings, monkeypatch):
    """A new ten-day rule: three sessions of two people each are due at once; one scan may
    record two rows and a statement takes one (rule, session) pair."""
    settings.REMINDER_SCAN_MAX_ROWS = 2
    monkeypatch.setattr(reminder_scan, "PAIRS_PER_STATEMENT", 1)
    only_rule(programme, kind=ReminderRule.Kind.BEFORE, offset_minutes=10 * 24 * 60)
    sessions = {}
    for name, days in (("second", 3), ("first", 2), ("third", 5)):
        session = make_session(NOW + timedelta(days=days), topic_lv=name)
        for number in range(2):
            confirmed(session.stage, seat_at=BOOKED, email=f"{name}{number}@example.lv")
        sessions[name] = session
    return sessions


def test_a_burst_is_recorded_over_several_scans_the_soonest_session_first(
    burst, run_scan, time_machine
):
    summaries = []
    for minute in range(4):
        time_machine.move_to(NOW + timedelta(minutes=minute), tick=False)
        summaries.append(run_scan())

    assert [(s.queued, s.deferred) for s in summaries] == [(2, 2), (2, 1), (2, 0), (0, 0)]
    sent_in_order = [message.to[0] for message in mail.outbox]
    assert sent_in_order[:2] == ["first0@example.lv", "first1@example.lv"]
    assert sent_in_order[2:4] == ["second0@example.lv", "second1@example.lv"]
    assert Counter(sent_in_order) == {address: 1 for address in sent_in_order}
    assert len(sent_in_order) == 6
    assert Counter(d.status for d in deliveries()) == {Status.SENT: 6}


def test_the_pairs_left_for_the_next_scan_are_not_marked_as_recorded(burst, run_scan, time_machine):
    time_machine.move_to(NOW, tick=False)
    run_scan()

    marked = set(ReminderScanMark.objects.values_list("session__topic_lv", flat=True))
    assert marked == {"first"}


def test_a_scan_that_used_its_time_leaves_the_rest_for_the_next(
    burst, run_scan, time_machine, settings
):
    """On a slow database the time bound stops a scan before the row bound does (here at once:
    one statement, one pair, per scan)."""
    settings.REMINDER_SCAN_MAX_ROWS = 1000
    settings.REMINDER_SCAN_MAX_SECONDS = 0
    summaries = []
    for minute in range(4):
        time_machine.move_to(NOW + timedelta(minutes=minute), tick=False)
        summaries.append(run_scan())

    assert [(s.queued, s.deferred) for s in summaries] == [(2, 2), (2, 1), (2, 0), (0, 0)]
    assert len(mail.outbox) == 6
