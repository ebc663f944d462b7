"""The outbox through the real machinery: a Celery worker and beat on Redis, PostgreSQL and an SMTP
server on the loopback interface. Skipped (with the reason) without Redis and PostgreSQL.

The fixtures (SMTP server, worker and beat subprocesses, the broker) are the reminder
integration tests' own.
"""

import time
from datetime import timedelta

from django.utils import timezone

from courses.tests.factories import StageFactory
from participants.models import ParticipantMail
from participants.tests import test_reminder_integration as integration
from participants.tests.factories import RegistrationFactory
from participants.tests.test_services import register

pytestmark = integration.pytestmark
Status = ParticipantMail.Status
# The reminder integration tests' fixtures, used here as they are.
smtp, services, broker = integration.smtp, integration.services, integration.broker
subprocess_env, wait_until = integration.subprocess_env, integration.wait_until


def drain_entry_overdue():
    """Make beat's every-minute drain due at once (as if its last run was two minutes ago)."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    interval, _ = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
    PeriodicTask.objects.update_or_create(
        name="drain-participant-mails",
        defaults={
            "task": "participants.drain_participant_mails",
            "interval": interval,
            "last_run_at": timezone.now() - timedelta(minutes=2),
            "enabled": True,
        },
    )


def test_a_real_worker_sends_new_mail_and_beat_drains_mail_whose_kick_was_lost(
    smtp, services, broker
):
    handler, port = smtp
    env = subprocess_env(port)
    worker = services("worker", env)

    register(StageFactory(), "kicked@example.lv")  # committed: the kick goes to Redis
    try:
        [message] = handler.wait_for(1, timeout=30)
    except AssertionError:
        raise AssertionError(worker.output()[-3000:]) from None
    assert message["To"] == "kicked@example.lv"

    # A mail recorded while the broker was down: no task exists for it, only the row.
    lost = RegistrationFactory(participant__email="lost@example.lv", confirmed=True)
    ParticipantMail.objects.create(registration=lost, template="confirmed")
    drain_entry_overdue()
    beat = services("beat", env)
    try:
        handler.wait_for(2, timeout=40)
    except AssertionError:
        raise AssertionError(beat.output()[-3000:] + worker.output()[-3000:]) from None

    assert handler.messages[1]["To"] == "lost@example.lv"
    wait_until(
        lambda: set(ParticipantMail.objects.values_list("status", flat=True)) == {Status.SENT},
        message="both rows sent",
    )
    time.sleep(1.5)  # beat ticks every second: nothing is sent twice
    assert len(handler.messages) == 2
