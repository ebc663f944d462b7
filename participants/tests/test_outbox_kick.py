"""Handing outbox rows to the broker: one kept connection per thread, not one per mail.

The broker is kombu's in-memory transport (a real kombu connection and queue, in this process),
so what is counted is what a Redis broker would see: connections opened and messages queued.
"""

import pytest
from kombu import Connection
from kombu.transport import memory

from innovation_centre.celery import app as celery_app
from participants.outbox import record
from participants.outbox.record import participant_mails_kick
from participants.tests.smtp_server import free_port

QUEUE = "celery"


@pytest.fixture
def memory_broker(monkeypatch):
    """Tasks go to an in-memory broker (not run eagerly); counts the connections opened."""
    conf = celery_app.conf
    saved = (conf.broker_url, conf.broker_transport_options, conf.task_always_eager)
    monkeypatch.setenv("CELERY_BROKER_URL", "memory://")
    conf.broker_url = "memory://"
    conf.broker_transport_options = {}
    conf.task_always_eager = False
    opened = []
    establish = Connection._establish_connection

    def counting(connection):
        opened.append(connection)
        return establish(connection)

    record._drop_connection()
    purge()
    monkeypatch.setattr(Connection, "_establish_connection", counting)
    yield opened
    record._drop_connection()
    purge()
    conf.broker_url, conf.broker_transport_options, conf.task_always_eager = saved


def purge():
    with Connection("memory://") as connection:
        connection.default_channel.queue_purge(QUEUE)


def queued():
    with Connection("memory://") as connection:
        return connection.default_channel.queue_declare(QUEUE, passive=True).message_count


def test_kicks_share_one_broker_connection(memory_broker):
    results = [participant_mails_kick(mail_ids=[number]) for number in range(5)]
    opened = len(memory_broker)

    assert results == [True] * 5
    assert opened == 1
    assert queued() == 5


def test_a_kept_connection_that_fails_is_replaced_and_the_mail_still_handed_over(
    memory_broker, monkeypatch
):
    assert participant_mails_kick(mail_ids=[1])
    put = memory.Channel._put
    failures = [ConnectionError("the broker restarted")]

    def put_after_restart(channel, queue, message, **kwargs):
        if failures:
            raise failures.pop()
        return put(channel, queue, message, **kwargs)

    monkeypatch.setattr(memory.Channel, "_put", put_after_restart)

    assert participant_mails_kick(mail_ids=[2])
    assert len(memory_broker) == 2  # the kept one, then a fresh one
    assert queued() == 2


def test_a_broker_that_goes_down_and_comes_back(memory_broker, monkeypatch, caplog):
    assert participant_mails_kick(mail_ids=[1])
    # Celery reads the environment before its own setting.
    monkeypatch.setenv("CELERY_BROKER_URL", f"redis://127.0.0.1:{free_port()}/0")  # closed

    assert participant_mails_kick(mail_ids=[2]) is False
    assert "left for the outbox drain" in caplog.text

    monkeypatch.setenv("CELERY_BROKER_URL", "memory://")
    assert participant_mails_kick(mail_ids=[3])
    assert queued() == 2
