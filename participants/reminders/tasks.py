"""Celery tasks for session reminders, and the functions that hand recorded rows to them.

``reminders_scan`` runs every minute from Celery beat (CELERY_BEAT_SCHEDULE, shown in the admin by
django-celery-beat) and ``manage.py send_due_reminders`` runs the same ``reminders_send_due``.
``send_reminders`` is idempotent (a delivery is sent only by the call that claims it), so it is
acknowledged late and requeued when its worker dies. The tasks take primary keys.

Imports run one way: this module uses ``scan`` (which records and returns what to send) and
``delivery`` (which sends); neither imports this module.
"""

from celery import shared_task
from django.db import transaction

from participants.reminders import delivery, scan

SCAN_TASK = "participants.reminders_scan"  # the name is stored in the beat schedule: keep it
SEND_TASK = "participants.send_reminders"


@shared_task(
    name=SEND_TASK,
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=90,
    time_limit=120,
)
def send_reminders(delivery_ids: list[int]) -> dict:
    """Claim and send the given deliveries; rows already claimed or sent are left alone."""
    summary = delivery.reminder_deliveries_send(delivery_ids=delivery_ids)
    return {
        "sent": summary.sent,
        "failed": summary.failed,
        "not_claimed": summary.not_claimed,
        "cancelled": summary.cancelled,
    }


def reminders_queue(delivery_ids) -> None:
    """Queue the rows for the Celery senders, in batches of whole sessions of about
    REMINDER_SEND_BATCH_SIZE rows (``scan.send_batches``), once the current transaction commits
    (at once outside a transaction)."""
    size = scan.setting("REMINDER_SEND_BATCH_SIZE", 50)
    for batch in scan.send_batches(delivery_ids, size=size):
        transaction.on_commit(lambda batch=batch: send_reminders.delay(batch))


def reminders_send_due(*, now=None, dispatch=reminders_queue) -> scan.ScanSummary:
    """One scan (``scan.reminders_record_due``), then ``dispatch(delivery_ids)`` hands the rows
    to send to the senders: by default Celery tasks; the command's ``--here`` collects them."""
    summary = scan.reminders_record_due(now=now)
    if summary.delivery_ids:
        dispatch(summary.delivery_ids)
    return summary


def reminders_send_now(
    *, session, requested_by=None, now=None, dispatch=reminders_queue
) -> scan.ManualSummary:
    """Staff's "send reminder now" (``scan.reminders_record_now``), queued for the senders."""
    summary = scan.reminders_record_now(session=session, requested_by=requested_by, now=now)
    if summary.delivery_ids:
        dispatch(summary.delivery_ids)
    return summary


@shared_task(name=SCAN_TASK, ignore_result=True, soft_time_limit=50, time_limit=55)
def reminders_scan() -> dict:
    """One scan for due reminders (the same code as ``manage.py send_due_reminders``)."""
    return reminders_send_due().as_dict()
