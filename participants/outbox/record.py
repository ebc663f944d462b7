"""Recording mails: called by the services inside the transaction that causes the mail."""

import logging
import os
import threading
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from participants.outbox.models import ParticipantMail
from participants.outbox.tasks import send_participant_mails

logger = logging.getLogger(__name__)

CONFIRMATION_REQUEST = "awaiting_confirmation"
# Mails anyone can make the portal send to an address by posting a public form with it (the
# registration form, "lost your link?"): they share one daily limit per address.
FORM_TEMPLATES = (CONFIRMATION_REQUEST, "manage_link", "fresh_links")
FORM_MAIL_WINDOW = timedelta(hours=24)
KICK_TIMEOUT = 2  # seconds a page waits at most for the broker before leaving mail to the drain
# Each thread keeps its broker connection for the next kick: connecting anew for every mail cost
# more than the rest of the hand-over (see bench/HISTORY.md, "Registration").
_held = threading.local()


def participant_mail_record(*, registration, template, payload=None, now=None) -> ParticipantMail:
    """Record ``template`` for the registration's participant in the current transaction.

    Once the transaction commits a send task is kicked for the row; a rolled-back change leaves
    no row and sends nothing.
    """
    mail = ParticipantMail.objects.create(
        registration=registration,
        template=template,
        payload=payload or {},
        created_at=now or timezone.now(),
    )
    transaction.on_commit(lambda: participant_mails_kick(mail_ids=[mail.pk]))
    return mail


def participant_mails_kick(*, mail_ids) -> bool:
    """Hand the rows to a worker now; with the broker down only log (the drain sends them).

    One quick connection attempt, no retries: the page that caused the mail must not wait for
    a broker that is down (kombu would otherwise keep trying for several seconds). The
    connection stays open for the thread's next kick (``_publish``).
    """
    task = send_participant_mails
    try:
        if task.app.conf.task_always_eager:
            task.apply_async(args=[list(mail_ids)])
            return True
        _publish(task, list(mail_ids))
    except Exception as error:  # noqa: BLE001 - any broker failure: the drain sends the rows
        logger.warning(
            "Mail %s left for the outbox drain: broker unavailable (%s)", mail_ids, error
        )
        return False
    return True


def _publish(task, mail_ids):
    """Queue the task on this thread's kept broker connection. A connection that fails is
    dropped; a kept one may have gone stale (the broker restarted), so it gets one fresh try."""
    reused = _kept_connection(task.app) is not None
    for attempt in (1, 2):
        try:
            connection = _kick_connection(task.app)
            connection.ensure_connection(max_retries=1, interval_start=0, timeout=KICK_TIMEOUT)
            task.apply_async(args=[mail_ids], connection=connection, retry=False)
            return
        except Exception:
            _drop_connection()
            if attempt == 2 or not reused:
                raise


def _kept_connection(app):
    """This thread's broker connection from an earlier kick, if it is for this process and
    this broker (a forked worker process never shares its parent's socket)."""
    kept = getattr(_held, "connection", None)
    if kept and kept[0] == os.getpid() and kept[1] == app.conf.broker_write_url:
        return kept[2]
    return None


def _kick_connection(app):
    connection = _kept_connection(app)
    if connection is None:
        _drop_connection()
        connection = app.connection_for_write()
        _held.connection = (os.getpid(), app.conf.broker_write_url, connection)
    return connection


def _drop_connection():
    kept, _held.connection = getattr(_held, "connection", None), None
    if kept and kept[0] == os.getpid():
        try:
            kept[2].close()
        except Exception:  # noqa: BLE001 - already broken; nothing more to release
            logger.debug("Closing the kept broker connection failed", exc_info=True)


def form_mail_limit() -> int:
    return getattr(settings, "REGISTRATION_MAIL_DAILY_LIMIT", 3)


def form_mails_recent(*, participant, now) -> int:
    """How many mails the public form made for this address within the last 24 hours."""
    return ParticipantMail.objects.filter(
        registration__participant=participant,
        template__in=FORM_TEMPLATES,
        created_at__gt=now - FORM_MAIL_WINDOW,
    ).count()


def form_mail_allowed(*, participant, now) -> bool:
    """False once the address got its daily share of confirmation requests and links.

    The caller must hold the participant's row lock, so that two posts at once cannot both
    see the last free mail.
    """
    return form_mails_recent(participant=participant, now=now) < form_mail_limit()


def confirmation_request_details(*, registration, mail_id) -> dict | None:
    """The details typed into the form for the confirmation request ``mail_id``, if any."""
    if mail_id is None:
        return None
    payload = (
        ParticipantMail.objects.filter(
            pk=mail_id, registration=registration, template=CONFIRMATION_REQUEST
        )
        .values_list("payload", flat=True)
        .first()
    )
    return (payload or {}).get("details") or None


def participant_mails_retry(*, mail_ids) -> int:
    """Staff's "send again": failed rows wait again (a fresh series of attempts)."""
    with transaction.atomic():
        ids = list(
            ParticipantMail.objects.filter(
                pk__in=list(mail_ids), status=ParticipantMail.Status.FAILED
            ).values_list("pk", flat=True)
        )
        count = ParticipantMail.objects.filter(
            pk__in=ids, status=ParticipantMail.Status.FAILED
        ).update(status=ParticipantMail.Status.PENDING, next_attempt_at=None, attempts=0)
        if ids:
            transaction.on_commit(lambda: participant_mails_kick(mail_ids=ids))
    return count
