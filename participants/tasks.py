"""Background work for registrations: the mails and the daily purge. Tasks take primary keys."""

import logging

from celery import shared_task

from participants import registration_mail, services
from participants.models import Registration

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_registration_mail(registration_id: int, template: str) -> bool:
    """Send ``template`` about registration ``registration_id``; False when it no longer exists."""
    registration = (
        Registration.objects.select_related("participant", "stage", "stage__programme")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None:
        logger.info("Registration %s is gone; %s mail not sent.", registration_id, template)
        return False
    registration_mail.send_registration_mail(registration=registration, template=template)
    return True


@shared_task
def purge_expired_registrations() -> int:
    count = services.registrations_purge_expired()
    logger.info("Purged %s unconfirmed registrations older than 72 hours.", count)
    return count
