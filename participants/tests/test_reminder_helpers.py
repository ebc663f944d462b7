"""Shared helpers for the reminder tests (no tests here): sessions, registrations, a scan."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connections

from courses.models import ReminderRule
from courses.tests.factories import ProgrammeFactory, SessionFactory, StageFactory
from participants.models import Registration, ReminderDelivery
from participants.reminders.tasks import reminders_send_due
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


def run_at_once(count, work):
    """Run ``work`` in ``count`` threads released together; return the errors they raised.

    Each thread has its own database connection (closed at the end), so on PostgreSQL the
    threads really race each other.
    """
    barrier = threading.Barrier(count)
    errors = []

    def run():
        try:
            barrier.wait(timeout=10)
            work()
        except Exception as error:  # noqa: BLE001 - returned to the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors
