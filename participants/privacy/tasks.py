"""The daily retention task (beat: ``erase-expired-personal-data``)."""

import logging

from celery import shared_task

from participants.privacy import services

logger = logging.getLogger(__name__)


@shared_task(name="participants.erase_expired_personal_data")
def erase_expired_personal_data() -> int:
    count = services.personal_data_erase_expired()
    logger.info("Retention: erased the personal data of %s participants.", count)
    return count
