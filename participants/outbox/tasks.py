"""Celery tasks of the outbox. They take primary keys; both are safe to run twice."""

from celery import shared_task

from participants.outbox import delivery

SEND_TASK = "participants.send_participant_mails"
DRAIN_TASK = "participants.drain_participant_mails"


@shared_task(
    name=SEND_TASK,
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=90,
    time_limit=120,
)
def send_participant_mails(mail_ids: list[int]) -> dict:
    """Claim and send the given outbox rows; rows already claimed or sent are left alone."""
    return delivery.participant_mails_send(mail_ids=mail_ids).as_dict()


@shared_task(name=DRAIN_TASK, ignore_result=True, soft_time_limit=50, time_limit=55)
def drain_participant_mails() -> dict:
    """Send every outbox row still waiting (beat, every minute)."""
    return delivery.participant_mails_drain().as_dict()
