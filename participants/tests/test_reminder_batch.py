"""A batch of reminders: one SMTP connection, the session's parts built once, each person's own
mail, and a failure or a crash in the middle never resending the ones already sent."""

import smtplib
from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from participants.reminders import delivery as reminder_delivery
from participants.reminders.delivery import reminder_deliveries_send
from participants.tests import test_reminder_helpers as helpers
from participants.tests.test_reminder_helpers import (
    Status,
    confirmed,
    deliveries,
    hour_before_rule,
    make_session,
    riga,
)

pytestmark = pytest.mark.django_db

programme = helpers.programme
run_scan = helpers.run_scan

START = riga(2027, 3, 15, 10, 0)
DUE = START - timedelta(minutes=60)
BOOKED = riga(2027, 3, 1)


class CountingBackend(LocmemBackend):
    """The test mail server; counts the connections opened and the messages sent over each."""

    opened = []  # one list of messages per connection
    refuse_message_number = None  # the n-th message overall (1-based) is refused

    def open(self):
        CountingBackend.opened.append([])
        return True

    def send_messages(self, messages):
        sent = sum(len(batch) for batch in CountingBackend.opened) + 1
        if sent == CountingBackend.refuse_message_number:
            CountingBackend.refuse_message_number = None
            raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (450, b"Try again later")})
        CountingBackend.opened[-1].extend(messages)
        return super().send_messages(messages)


@pytest.fixture
def server(settings):
    settings.EMAIL_BACKEND = f"{__name__}.CountingBackend"
    CountingBackend.opened = []
    CountingBackend.refuse_message_number = None
    return CountingBackend


@pytest.fixture
def due_batch(programme, run_scan, time_machine):
    """Three people at one session and two at another, all due now; the queued ids."""
    hour_before_rule(programme)
    first, second = (
        make_session(START, topic_lv="Ķīmija"),
        make_session(START, topic_lv="Fizika", topic_en="Physics"),
    )
    for number in range(3):
        confirmed(first.stage, seat_at=BOOKED, email=f"a{number}@example.lv")
    for number, language in enumerate(["en", "lv"]):
        confirmed(second.stage, seat_at=BOOKED, email=f"b{number}@example.lv", language=language)
    time_machine.move_to(DUE, tick=False)
    queued = []
    run_scan(dispatch=queued.extend)
    return queued


def sent_to():
    return Counter(address for message in mail.outbox for address in message.to)


def test_a_batch_goes_out_over_one_smtp_connection(server, due_batch):
    summary = reminder_deliveries_send(delivery_ids=due_batch)

    assert summary.sent == 5
    assert [len(messages) for messages in server.opened] == [5]


def test_the_session_parts_are_built_once_per_session_and_language(server, due_batch, monkeypatch):
    calendars = []
    build = reminder_delivery.calendar_for_sessions

    def counting(sessions, **kwargs):
        calendars.append(([s.topic_lv for s in sessions], kwargs["language"]))
        return build(sessions, **kwargs)

    monkeypatch.setattr(reminder_delivery, "calendar_for_sessions", counting)

    reminder_deliveries_send(delivery_ids=due_batch)

    assert sorted(calendars) == [(["Fizika"], "en"), (["Fizika"], "lv"), (["Ķīmija"], "lv")]
    assert len(mail.outbox) == 5


def test_each_person_in_a_batch_gets_their_own_mail_in_their_language(server, due_batch):
    reminder_deliveries_send(delivery_ids=due_batch)

    by_address = {message.to[0]: message for message in mail.outbox}
    english, latvian = by_address["b0@example.lv"], by_address["b1@example.lv"]
    assert english.subject == "Reminder: Physics, 15 March 2027, 10:00–13:00"
    assert latvian.subject == "Atgādinājums: Fizika, 2027. gada 15. marts, 10:00–13:00"
    manage_links = {
        address: next(line for line in message.body.splitlines() if "/manage/" in line)
        for address, message in by_address.items()
    }
    assert len(set(manage_links.values())) == 5
    assert manage_links["b0@example.lv"].split("/")[3] == "en"
    assert (
        by_address["a0@example.lv"].attachments[0][1]
        == by_address["a1@example.lv"].attachments[0][1]
    )
    assert english.attachments[0][1] != latvian.attachments[0][1]  # the .ics in each language


def test_a_refusal_mid_batch_leaves_that_one_for_a_retry_and_sends_the_others_once(
    server, due_batch, run_scan, time_machine
):
    server.refuse_message_number = 2

    summary = reminder_deliveries_send(delivery_ids=due_batch)

    assert (summary.sent, summary.failed) == (4, 1)
    statuses = Counter(d.status for d in deliveries())
    assert statuses == {Status.SENT: 4, Status.FAILED: 1}
    time_machine.move_to(DUE + timedelta(minutes=1), tick=False)
    assert run_scan().retried == 1
    assert Counter(d.status for d in deliveries()) == {Status.SENT: 5}
    assert sorted(sent_to().values()) == [1] * 5


def test_a_batch_stopped_mid_way_never_resends_what_it_sent(
    server, due_batch, run_scan, time_machine, monkeypatch
):
    from celery.exceptions import SoftTimeLimitExceeded

    send = reminder_delivery.delivery_send
    calls = []

    def stopped_at_the_third(**kwargs):
        calls.append(kwargs["delivery"].pk)
        if len(calls) == 3:
            raise SoftTimeLimitExceeded  # the task's soft time limit, mid-send
        return send(**kwargs)

    monkeypatch.setattr(reminder_delivery, "delivery_send", stopped_at_the_third)
    with pytest.raises(SoftTimeLimitExceeded):
        reminder_deliveries_send(delivery_ids=due_batch)
    monkeypatch.setattr(reminder_delivery, "delivery_send", send)

    statuses = [d.status for d in deliveries()]
    assert statuses == [Status.SENT, Status.SENT, Status.CLAIMED, Status.PENDING, Status.PENDING]
    time_machine.move_to(DUE + timedelta(minutes=6), tick=False)  # the claim is stale
    run_scan()
    assert Counter(d.status for d in deliveries()) == {Status.SENT: 5}
    assert sorted(sent_to().values()) == [1] * 5


def test_the_seats_are_checked_and_the_sent_rows_marked_once_per_group(
    server, due_batch, monkeypatch, django_assert_num_queries
):
    """Five mails in groups of two: three "sent" UPDATEs and two seat checks (the claim checked
    the first group's), not five each: each statement waits for a round trip, and each
    committed mark for a disk flush."""
    monkeypatch.setattr(reminder_delivery, "MARK_EVERY", 2)
    # claim: seats and sessions (1), UPDATE (1); load: rows (1), their sessions (1); per group:
    # mark (1), seats (1 but the first group)
    with django_assert_num_queries(4 + 3 + 2):
        summary = reminder_deliveries_send(delivery_ids=due_batch)

    assert summary.sent == 5
    assert Counter(d.status for d in deliveries()) == {Status.SENT: 5}


class Killed(BaseException):
    """The sender dies outright (SIGKILL, the hard time limit): no handler, no cleanup runs."""


def test_a_sender_killed_before_its_group_is_marked_resends_only_that_group(
    server, due_batch, run_scan, time_machine, monkeypatch
):
    """The trade of marking per group: a sender killed after the mail server accepted a group's
    mails but before their mark commits leaves that group "claimed"; once the claim is stale it
    is sent again. Nothing is lost, and the group marked before is not sent twice."""
    monkeypatch.setattr(reminder_delivery, "MARK_EVERY", 2)
    mark = reminder_delivery.deliveries_mark_sent
    marks = []

    def killed_at_the_second_mark(**kwargs):
        marks.append(kwargs["deliveries"])
        if len(marks) == 2:
            raise Killed
        return mark(**kwargs)

    monkeypatch.setattr(reminder_delivery, "deliveries_mark_sent", killed_at_the_second_mark)
    with pytest.raises(Killed):
        reminder_deliveries_send(delivery_ids=due_batch)
    monkeypatch.setattr(reminder_delivery, "deliveries_mark_sent", mark)

    statuses = [d.status for d in deliveries()]
    # The rows of the killed group and the one not yet tried all wait for their claim to go stale.
    assert statuses == [Status.SENT, Status.SENT, Status.CLAIMED, Status.CLAIMED, Status.CLAIMED]
    time_machine.move_to(DUE + timedelta(minutes=6), tick=False)  # the claims are stale
    run_scan()
    assert Counter(d.status for d in deliveries()) == {Status.SENT: 5}
    twice = [d.registration.participant.email for d in deliveries()[2:4]]
    assert sent_to() == {
        **{address: 1 for address in sent_to()},
        **{address: 2 for address in twice},
    }
