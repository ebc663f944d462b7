"""Celery tasks for session reminders. They take primary keys and call participants.reminders.

``reminders_scan`` runs every minute from Celery beat (CELERY_BEAT_SCHEDULE, shown in the admin by
django-celery-beat). ``send_reminders`` is idempotent (a delivery is sent only by the call that
claims it), so it is acknowledged late and requeued when its worker dies.
"""

from celery import shared_task

from participants import reminder_delivery, reminders

SCAN_TASK = "participants.reminders_scan"
SEND_TASK = "participants.send_reminders"


@shared_task(name=SCAN_TASK, ignore_result=True, soft_time_limit=50, time_limit=55)
def reminders_scan() -> dict:
    """One scan for due reminders (the same code as ``manage.py send_due_reminders``)."""
    return reminders.reminders_send_due().as_dict()


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
    summary = reminder_delivery.reminder_deliveries_send(delivery_ids=delivery_ids)
    return {
        "sent": summary.sent,
        "failed": summary.failed,
        "not_claimed": summary.not_claimed,
        "cancelled": summary.cancelled,
    }
