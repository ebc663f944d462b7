"""Background work for registrations: the daily purge. Tasks take primary keys.

Registration mails go through the outbox (``participants.outbox``, its tasks in
``participants.outbox.tasks``).
"""

import logging

from celery import shared_task
from django.db import transaction

from participants import services
from participants.models import Registration
from participants.outbox.record import participant_mail_record

logger = logging.getLogger(__name__)


@shared_task
def send_registration_mail(registration_id: int, template: str) -> bool:
    """Kept for messages queued before the outbox existed: records the mail in the outbox.

    False when the registration no longer exists.
    """
    registration = Registration.objects.filter(pk=registration_id).first()
    if registration is None:
        logger.info("Registration %s is gone; %s mail not sent.", registration_id, template)
        return False
    with transaction.atomic():
        participant_mail_record(registration=registration, template=template)
    return True


@shared_task
def purge_expired_registrations() -> int:
    count = services.registrations_purge_expired()
    logger.info("Purged %s unconfirmed registrations older than 72 hours.", count)
    return count
