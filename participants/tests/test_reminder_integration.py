"""Reminders through the real machinery: a Celery worker and beat on Redis, PostgreSQL, and an SMTP
server on the loopback interface. Skipped (with the reason) without Redis and PostgreSQL.

The worker and beat are subprocesses, so they see only committed data: the tests are
transactional, and the subprocesses get the test database's name in DATABASE_URL.
"""

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from conftest import USING_POSTGRES
from courses.models import ReminderRule
from innovation_centre.celery import app as celery_app
from participants.models import ReminderDelivery
from participants.reminders.delivery import reminder_deliveries_send
from participants.reminders.tasks import reminders_send_due, send_reminders
from participants.tests.smtp_server import LOOPBACK, CollectingHandler, free_port
from participants.tests.test_reminder_helpers import Status, confirmed, make_session, run_at_once

USING_REDIS = settings.CELERY_BROKER_URL.startswith("redis")
BASE_DIR = Path(settings.BASE_DIR)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not (USING_POSTGRES and USING_REDIS),
        reason="needs PostgreSQL and Redis: set DATABASE_URL=postgres://... and "
        "CELERY_BROKER_URL=redis://...",
    ),
    pytest.mark.django_db(transaction=True),
]


# --- the SMTP server ----------------------------------------------------------------------------


class HangingOnceHandler(CollectingHandler):
    """Accepts mail, except that it never answers the first message (a hung mail server)."""

    def __init__(self, hang_first=False):
        super().__init__()
        self.hang_first = hang_first
        self.hanging = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.hang_first and not self.hanging.is_set():
            self.hanging.set()
            await asyncio.sleep(3600)  # the client is killed meanwhile; nothing is delivered
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def smtp(request):
    from aiosmtpd.controller import Controller

    handler = HangingOnceHandler(hang_first=getattr(request, "param", False))
    controller = Controller(handler, hostname=LOOPBACK, port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


# --- worker and beat subprocesses ---------------------------------------------------------------


def subprocess_env(smtp_port, **extra):
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
        ),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "EMAIL_URL": f"smtp://{LOOPBACK}:{smtp_port}",
        "SITE_URL": settings.SITE_URL,
        "PYTHONUNBUFFERED": "1",
    }
    env.update({key: str(value) for key, value in extra.items()})
    return env


class Service:
    """A celery subprocess in its own process group; its output is kept for failure messages."""

    def __init__(self, args, env, ready_text):
        self.lines = []
        self.ready = threading.Event()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "innovation_centre", *args],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, args=(ready_text,), daemon=True).start()

    def _read(self, ready_text):
        for line in self.process.stdout:
            self.lines.append(line)
            if ready_text in line:
                self.ready.set()

    def wait_ready(self, timeout=30):
        assert self.ready.wait(timeout), "did not start:\n" + "".join(self.lines[-40:])

    def kill(self, sig=signal.SIGKILL):
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def output(self):
        return "".join(self.lines)


@pytest.fixture
def services():
    started = []

    def start(kind, env):
        if kind == "worker":
            args = ["worker", "-P", "solo", "--without-gossip", "--without-mingle"]
            args += ["--without-heartbeat", "--loglevel", "INFO"]
            service = Service(args, env, ready_text="ready.")
        else:
            args = ["beat", "--loglevel", "DEBUG", "--pidfile=", "--max-interval", "1"]
            service = Service(args, env, ready_text="beat: Starting")
        started.append(service)
        service.wait_ready()
        return service

    yield start
    for service in started:
        service.kill(signal.SIGTERM)


@pytest.fixture
def broker():
    """Send tasks to the real broker (not eagerly), from an empty queue."""
    celery_app.conf.task_always_eager = False
    forget_queued_tasks()
    yield celery_app
    forget_queued_tasks()
    celery_app.conf.task_always_eager = True


def forget_queued_tasks():
    """Empty the queues and the messages a killed worker left unacknowledged.

    Redis keeps those in ``unacked`` and hands them out again after the visibility timeout, so
    a later run on the same Redis database would otherwise run a stale task of this one.
    """
    celery_app.control.purge()
    with celery_app.connection_for_write() as connection:
        connection.default_channel.client.delete("unacked", "unacked_index")


def wait_until(condition, timeout=30, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {message}")


def due_session(programme_rule_minutes=60, starts_in=timedelta(minutes=30), **fields):
    """A session whose hour-before reminder is due now, with one confirmed registration."""
    from courses.tests.factories import ProgrammeFactory

    programme = ProgrammeFactory()
    ReminderRule.objects.create(
        programme=programme, kind="before", offset_minutes=programme_rule_minutes
    )
    session = make_session(timezone.now() + starts_in, **fields)
    registration = confirmed(session.stage, seat_at=timezone.now() - timedelta(days=7))
    return session, registration


def schedule_entry_overdue():
    """Make beat's every-minute scan due at once (as if its last run was two minutes ago)."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    interval, _ = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
    PeriodicTask.objects.update_or_create(
        name="send-due-reminders",
        defaults={
            "task": "participants.reminders_scan",
            "interval": interval,
            "last_run_at": timezone.now() - timedelta(minutes=2),
            "enabled": True,
        },
    )


# --- (a) worker + beat + Redis + PostgreSQL + SMTP ----------------------------------------------


def test_beat_and_a_real_worker_deliver_the_reminder_to_the_smtp_server(smtp, services, broker):
    handler, port = smtp
    session, registration = due_session(topic_lv="Integrācijas tests")
    schedule_entry_overdue()
    env = subprocess_env(port)

    worker = services("worker", env)
    beat = services("beat", env)
    try:
        [message] = handler.wait_for(1, timeout=40)
    except AssertionError:
        raise AssertionError(beat.output()[-3000:] + worker.output()[-3000:]) from None

    assert message["To"] == registration.participant.email
    assert "Integrācijas tests" in message["Subject"]
    assert "Sending due task send-due-reminders" in beat.output()
    delivery = ReminderDelivery.objects.get()
    wait_until(lambda: ReminderDelivery.objects.filter(status=Status.SENT).exists(), message="sent")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.session_id) == (Status.SENT, 1, session.pk)
    time.sleep(1.5)  # beat ticks every second: nothing more may arrive
    assert len(handler.messages) == 1


# --- (c) the worker is killed between claim and send --------------------------------------------


@pytest.mark.parametrize("smtp", [True], indirect=True)
def test_a_worker_killed_while_sending_leaves_a_claim_that_is_sent_once_later(
    smtp, services, broker
):
    handler, port = smtp
    session, registration = due_session()
    env = subprocess_env(port, REMINDER_CLAIM_STALE_SECONDS=3)
    worker = services("worker", env)

    reminders_send_due()  # the scan queues the send task on Redis (autocommit: at once)
    assert handler.hanging.wait(30), worker.output()[-3000:]
    delivery = ReminderDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Status.CLAIMED, 1)
    worker.kill(signal.SIGKILL)  # between the claim and the mail server's answer
    assert handler.messages == []

    services("worker", env)
    time.sleep(3.5)  # the claim becomes stale
    broker.send_task("participants.reminders_scan")
    [message] = handler.wait_for(1, timeout=30)

    assert message["To"] == registration.participant.email
    wait_until(lambda: ReminderDelivery.objects.filter(status=Status.SENT).exists(), message="sent")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.SENT, 2)
    # The killed task's message (acknowledged late) or another scan sends nothing more.
    send_reminders.apply(args=[[delivery.pk]])
    broker.send_task("participants.reminders_scan")
    time.sleep(2)
    assert len(handler.messages) == 1


# --- (b) two scans at once on PostgreSQL --------------------------------------------------------


def test_two_scans_at_once_send_one_mail_per_registration_session_and_kind(settings, smtp):
    handler, port = smtp
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = LOOPBACK, port
    from courses.tests.factories import ProgrammeFactory, StageFactory

    programme = ProgrammeFactory()
    ReminderRule.objects.create(programme=programme, kind="before", offset_minutes=60)
    ReminderRule.objects.create(programme=programme, kind="before", offset_minutes=120)
    start = timezone.now() + timedelta(minutes=30)
    for _ in range(3):
        session = make_session(start, stage=StageFactory(programme=programme))
        for _ in range(10):
            confirmed(session.stage, seat_at=timezone.now() - timedelta(days=7))
    people = 3 * 10

    def scan_and_send():
        queued = []
        reminders_send_due(dispatch=queued.extend)
        # Two workers given the same rows: only the claim's winner sends each.
        all_pending = list(ReminderDelivery.objects.values_list("pk", flat=True))
        reminder_deliveries_send(delivery_ids=queued + all_pending)

    for _ in range(2):
        assert run_at_once(4, scan_and_send) == []

    handler.wait_for(people, timeout=30)
    time.sleep(0.5)
    # Both rules are due at once: the 60-minute reminder goes, the 120-minute one is skipped.
    assert len(handler.messages) == people
    assert sorted(Counter(m["To"] for m in handler.messages).values()) == [1] * people
    rows = Counter(ReminderDelivery.objects.values_list("kind", "status"))
    assert rows == {("before_60", Status.SENT): people, ("before_120", Status.SKIPPED): people}
