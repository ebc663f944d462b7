"""A reminder rendered once per session and language and filled in per person is the mail Django
would have built for that person; where the shortcut could be wrong it is not taken."""

from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from django.core import mail
from django.utils import timezone

from participants.models import ReminderDelivery
from participants.reminders import prepared
from participants.reminders.delivery import (
    BatchMessages,
    reminder_deliveries_send,
    reminder_message,
)
from participants.reminders.tasks import reminders_send_due
from participants.tests import test_reminder_helpers as helpers
from participants.tests.smtp_server import smtp_server_fixture  # noqa: F401
from participants.tests.test_reminder_helpers import (
    confirmed,
    hour_before_rule,
    make_session,
    riga,
)

pytestmark = pytest.mark.django_db

programme = helpers.programme
run_scan = helpers.run_scan

START = riga(2027, 3, 15, 10, 0)
BOOKED = riga(2027, 3, 1)
AWKWARD_NAME = ('Anna <b>Bērziņa</b> & "Ozola"', "O'Neil-Šķēle")


@pytest.fixture
def queued(programme, time_machine):
    """Two people at one session, one in each language, their reminders recorded; the rows."""
    hour_before_rule(programme)
    session = make_session(START, topic_lv="Ķīmija", topic_en="Chemistry", venue="Zāle 1")
    first, last = AWKWARD_NAME
    confirmed(
        session.stage,
        seat_at=BOOKED,
        email="anna@example.lv",
        participant__first_name=first,
        participant__last_name=last,
    )
    confirmed(session.stage, seat_at=BOOKED, email="john@example.lv", language="en")
    time_machine.move_to(START - timedelta(minutes=60), tick=False)
    ids = []
    reminders_send_due(dispatch=ids.extend)
    return list(
        ReminderDelivery.objects.filter(pk__in=ids)
        .select_related("registration__participant", "session__stage__programme", "rule")
        .order_by("pk")
    )


def parsed(data):
    return message_from_bytes(data, policy=policy.default)


def parts_of(message):
    """Each leaf part's type and decoded content, and the headers that are not per message."""
    headers = {name: str(message[name]) for name in ("Subject", "From", "To", "MIME-Version")}
    leaves = [
        (part.get_content_type(), part.get_filename(), part.get_content())
        for part in message.walk()
        if not part.is_multipart()
    ]
    return headers, leaves


def test_the_filled_in_mail_is_the_mail_django_builds_for_that_person(queued):
    messages = BatchMessages(now=timezone.now())
    for delivery in queued:
        fast = messages.for_delivery(delivery)
        assert isinstance(fast, prepared.PreparedReminder)
        ordinary = reminder_message(delivery, parts=messages.parts)
        wire = parsed(fast.wire)
        assert parts_of(wire) == parts_of(parsed(ordinary.message().as_bytes(linesep="\r\n")))
        assert wire["Message-ID"] and wire["Date"]
        # What the other mail backends see (the test outbox, the file backend) is the same.
        assert (fast.subject, fast.body, fast.alternatives, fast.to) == (
            ordinary.subject,
            ordinary.body,
            ordinary.alternatives,
            ordinary.to,
        )
        assert fast.message().as_bytes(linesep="\r\n") == fast.wire


def test_the_name_is_escaped_in_the_html_and_as_typed_in_the_text(queued):
    fast = BatchMessages(now=timezone.now()).for_delivery(queued[0])
    [html] = [
        part.get_content()
        for part in parsed(fast.wire).walk()
        if part.get_content_type() == "text/html"
    ]
    name = " ".join(AWKWARD_NAME)
    assert name in fast.body
    assert "Anna &lt;b&gt;Bērziņa&lt;/b&gt; &amp; &quot;Ozola&quot;" in html
    assert "<b>" not in html


def test_every_mail_has_its_own_message_id(queued):
    messages = BatchMessages(now=timezone.now())
    ids = {parsed(messages.for_delivery(d).wire)["Message-ID"] for d in queued * 2}
    assert len(ids) == 2 * len(queued)


def test_templates_that_use_more_of_the_person_are_rendered_for_each_person(queued):
    """A template asking for anything of the person but the name and the link cannot be shared."""

    def asks_for_the_first_name(participant, registration, link):
        getattr(participant, "first_name", "")  # what a template asking for it does
        return reminder_message(queued[0])

    assert prepared.shared_reminder(build_message=asks_for_the_first_name, language="lv") is None


def test_an_address_or_name_the_bytes_cannot_take_goes_the_ordinary_way(queued):
    messages = BatchMessages(now=timezone.now())
    messages.for_delivery(queued[0])
    [shared] = [s for s in messages.shared.values() if s]
    assert prepared.person_reminder(shared, name="A", email="a@example.lv", link="x")
    assert prepared.person_reminder(shared, name="A", email="ā@piemērs.lv", link="x") is None
    assert prepared.person_reminder(shared, name="A" * 600, email="a@example.lv", link="x") is None
    assert prepared.person_reminder(shared, name="A\nB", email="a@example.lv", link="x") is None


def test_over_a_real_smtp_server_each_person_gets_their_own_mail(queued, smtp_server):
    summary = reminder_deliveries_send(delivery_ids=[d.pk for d in queued])

    assert summary.sent == 2
    received = {m["To"]: m for m in smtp_server.wait_for(2)}
    anna, john = received["anna@example.lv"], received["john@example.lv"]
    assert str(anna["Subject"]).strip().startswith("Atgādinājums: Ķīmija")
    assert str(john["Subject"]).strip().startswith("Reminder: Chemistry")
    anna_text = anna.get_body(("plain",)).get_content()
    assert 'Anna <b>Bērziņa</b> & "Ozola" O\'Neil-Šķēle' in anna_text
    assert "Zq7Reminder" not in anna.as_string() + john.as_string()
    assert "/en/" in john.get_body(("plain",)).get_content()
    envelope_to = sorted(rcpt for e in smtp_server.envelopes for rcpt in e.rcpt_tos)
    assert envelope_to == ["anna@example.lv", "john@example.lv"]
    assert mail.outbox == []
