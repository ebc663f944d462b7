"""The senders' batches hold whole sessions, so each session's mail is built once, not once for
every batch it was cut into; the order of urgency and the exactly-once claims stay as they were.
And the cheaper parts of building a batch's mails: the sessions loaded once, the manage link
reversed once per language, the MIME boundaries checked without a regular expression each."""

from collections import Counter
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from participants import links
from participants.reminders import delivery as reminder_delivery
from participants.reminders import prepared, tasks
from participants.reminders.delivery import BatchMessages, claimed_deliveries, deliveries_claim
from participants.reminders.scan import send_batches
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


def sessions_with(*sizes, languages=("lv",)):
    """Sessions starting a minute apart (the first soonest), with ``sizes`` people each."""
    sessions = []
    for number, size in enumerate(sizes):
        session = make_session(START + timedelta(minutes=number), topic_lv=f"Tēma {number}")
        for person in range(size):
            language = languages[person % len(languages)]
            confirmed(session.stage, seat_at=BOOKED, language=language)
        sessions.append(session)
    return sessions


@pytest.fixture
def queued_batches(programme, run_scan, time_machine, monkeypatch, settings):
    """Scan at the hour-before moment; the batches handed to the senders (not sent yet)."""
    settings.REMINDER_SEND_BATCH_SIZE = 4
    hour_before_rule(programme)
    time_machine.move_to(DUE + timedelta(minutes=5), tick=False)
    batches = []
    monkeypatch.setattr(tasks.send_reminders, "delay", batches.append)

    def scan():
        run_scan()
        return batches

    return scan


def session_of_rows():
    return {d.pk: d.session_id for d in deliveries()}


def test_a_batch_holds_whole_sessions_of_about_the_batch_size(queued_batches):
    first, second, third = sessions_with(3, 3, 3)

    batches = queued_batches()

    session_of = session_of_rows()
    # Three rows are fewer than 4: the second session joins the first; rows of 50 each in
    # order would have cut the first two sessions (4, 4, 1).
    assert [[session_of[pk] for pk in batch] for batch in batches] == [
        [first.pk] * 3 + [second.pk] * 3,
        [third.pk] * 3,
    ]


def test_a_session_bigger_than_twice_the_batch_is_cut_into_batch_sized_pieces(queued_batches):
    big, small = sessions_with(9, 3)

    batches = queued_batches()

    session_of = session_of_rows()
    assert [[session_of[pk] for pk in batch] for batch in batches] == [
        [big.pk] * 4,
        [big.pk] * 4,
        [big.pk] + [small.pk] * 3,
    ]


def test_a_session_that_would_pass_twice_the_batch_starts_the_next_one(queued_batches):
    first, second = sessions_with(3, 7)

    batches = queued_batches()

    session_of = session_of_rows()
    assert [[session_of[pk] for pk in batch] for batch in batches] == [
        [first.pk] * 3,
        [second.pk] * 7,
    ]


def test_each_sessions_mail_is_built_once_per_language_over_all_the_batches(
    queued_batches, monkeypatch
):
    """Built for each (session, language) a batch holds: batches of rows (4, 4, 1) would
    build the first two sessions twice each (5 in all)."""
    sessions_with(3, 3, 3, languages=("lv",))
    built = Counter()
    build = reminder_delivery.calendar_for_sessions

    def counting(sessions, **kwargs):
        built[sessions[0].pk, kwargs["language"]] += 1
        return build(sessions, **kwargs)

    monkeypatch.setattr(reminder_delivery, "calendar_for_sessions", counting)

    for batch in queued_batches():
        assert tasks.send_reminders(batch)["sent"] == len(batch)

    assert sorted(built.values()) == [1, 1, 1]
    assert len(mail.outbox) == 9
    assert Counter(d.status for d in deliveries()) == {Status.SENT: 9}


def test_rows_not_found_are_batched_too(db):
    ids = [11, 12, 13, 21, 22, 31]
    # Rows not found (deleted meanwhile) still go out, as one "session": the sender finds
    # nothing to claim.
    assert send_batches(ids, size=3) == [ids]
    assert send_batches(ids, size=2) == [[11, 12], [13, 21], [22, 31]]


def test_the_rows_of_one_session_share_its_loaded_session(queued_batches):
    first, second = sessions_with(3, 2)
    queued_batches()
    ids = list(session_of_rows())
    deliveries_claim(delivery_ids=ids, now=DUE + timedelta(minutes=5), token="t")

    rows = claimed_deliveries(token="t")

    assert len(rows) == 5
    assert len({id(row.session) for row in rows}) == 2
    assert {row.session.stage.programme for row in rows} == {first.stage.programme}


def test_the_manage_link_is_reversed_once_per_language_and_is_the_persons_own(
    queued_batches, monkeypatch
):
    sessions_with(4, languages=("lv", "en"))
    queued_batches()
    deliveries_claim(delivery_ids=list(session_of_rows()), now=DUE, token="t")
    rows = claimed_deliveries(token="t")
    reversed_for = []
    absolute_url = links.absolute_url

    def counting(view_name, *, token, language):
        reversed_for.append(language)
        return absolute_url(view_name, token=token, language=language)

    monkeypatch.setattr(links, "absolute_url", counting)
    messages = BatchMessages(now=DUE)

    made = [messages.manage_url(row.registration) for row in rows]

    assert sorted(reversed_for) == ["en", "lv"]
    monkeypatch.setattr(links, "absolute_url", absolute_url)
    assert made == [links.manage_url(row.registration) for row in rows]
    assert len(set(made)) == 4


def test_a_boundary_found_in_the_mail_is_drawn_again(monkeypatch):
    taken = "=" * 15 + f"{1:019d}" + "=="
    message = EmailMultiAlternatives("Subject", f"Text\n--{taken}\n", to=["a@example.lv"])
    message.attach_alternative("<p>HTML</p>", "text/html")
    message.attach("session.ics", b"BEGIN:VCALENDAR", "text/calendar")
    expected = parsed_parts(message.message().as_bytes())
    mime = message.message()
    draws = iter([1, 1, 2, 3])
    monkeypatch.setattr(prepared.random, "randrange", lambda _: next(draws))

    prepared.boundaries_set(mime, contents=[message.body])

    boundaries = [part.get_boundary() for part in mime.walk() if part.is_multipart()]
    assert boundaries == ["=" * 15 + f"{n:019d}" + "==" for n in (2, 3)]
    assert parsed_parts(mime.as_bytes()) == expected  # the email package draws none of its own


def parsed_parts(data):
    message = message_from_bytes(data, policy=policy.default)
    return [part.get_content() for part in message.walk() if not part.is_multipart()]
