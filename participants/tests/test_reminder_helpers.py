"""Shared helpers for the reminder tests (no tests here): sessions, registrations, a scan."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from courses.models import ReminderRule
from courses.tests.factories import ProgrammeFactory, SessionFactory, StageFactory
from participants.models import Registration, ReminderDelivery
from participants.reminders import reminders_send_due
from participants.tests.factories import RegistrationFactory

RIGA = ZoneInfo("Europe/Riga")
Status = ReminderDelivery.Status


def riga(year, month, day, hour=0, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=RIGA)


def make_session(starts_at, *, stage=None, hours=3, **fields):
    stage = stage or StageFactory()
    return SessionFactory(
        stage=stage, starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours), **fields
    )


def confirmed(stage, *, seat_at, language="lv", email=None, **fields):
    """A registration that got its seat at ``seat_at``."""
    participant = {"participant__language": language}
    if email:
        participant["participant__email"] = email
    return RegistrationFactory(
        stage=stage,
        status=Registration.Status.CONFIRMED,
        email_confirmed_at=seat_at,
        confirmed_at=seat_at,
        **participant,
        **fields,
    )


def only_rule(programme, **fields):
    """Replace the programme's rules by one rule (so a test looks at one reminder kind)."""
    ReminderRule.objects.filter(programme=programme).delete()
    return ReminderRule.objects.create(programme=programme, **fields)


def hour_before_rule(programme):
    return only_rule(programme, kind=ReminderRule.Kind.BEFORE, offset_minutes=60)


def day_before_rule(programme, at=None):
    from datetime import time

    return only_rule(programme, kind=ReminderRule.Kind.DAY_BEFORE, local_time=at or time(18, 0))


@pytest.fixture
def programme(db):
    return ProgrammeFactory()


@pytest.fixture
def run_scan(django_capture_on_commit_callbacks):
    """Run one scan at ``now`` and the send tasks it queues (eagerly), like a worker would."""

    def run(now=None, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return reminders_send_due(now=now, **kwargs)

    return run


def deliveries(**filters):
    return list(ReminderDelivery.objects.filter(**filters).order_by("pk"))
