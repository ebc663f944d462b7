"""Every date and time a person sees is Riga time: pages, registration mails, reminders, .ics.

The sessions here are given in UTC and the tests assert the Riga wall clock literally: 07:00 UTC
is 09:00 in Riga in winter (UTC+2) and 10:00 in summer (UTC+3), and 22:30 UTC on 14 February is
already 15 February in Riga. Pages, registration mails and messages follow ``TIME_ZONE``
(Europe/Riga, pinned in ``innovation_centre/tests/test_settings.py``): with ``TIME_ZONE = "UTC"``
these tests fail. Reminders name Europe/Riga themselves, so they are checked with ``TIME_ZONE``
set to UTC on purpose. The .ics file writes UTC (``...Z``), which calendars show in local time.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import translation

from courses.tests.factories import SessionFactory, StageFactory
from participants import links, services
from participants.models import Registration
from participants.tests import test_reminder_helpers as helpers
from participants.tests.factories import ParticipantFactory, RegistrationFactory
from participants.tests.test_reminder_helpers import confirmed, hour_before_rule

pytestmark = pytest.mark.django_db

programme = helpers.programme
run_scan = helpers.run_scan

WINTER = datetime(2099, 1, 15, 7, 0, tzinfo=UTC)  # 09:00–12:00 in Riga (UTC+2)
SUMMER = datetime(2099, 7, 15, 7, 0, tzinfo=UTC)  # 10:00–13:00 in Riga (UTC+3)
PAST_MIDNIGHT = datetime(2099, 2, 14, 22, 30, tzinfo=UTC)  # 15 February, 00:30–03:30 in Riga

RIGA_CLOCK = ["09:00–12:00", "10:00–13:00", "00:30–03:30"]
UTC_CLOCK = ["07:00–10:00", "22:30–01:30"]


def stage_with_sessions(**stage_fields):
    stage = StageFactory(**stage_fields)
    for starts_at in (WINTER, PAST_MIDNIGHT, SUMMER):
        SessionFactory(
            stage=stage,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=3),
            topic_lv=f"Nodarbība {starts_at:%m}",
        )
    return stage


def assert_riga_clock(text):
    for clock in RIGA_CLOCK:
        assert clock in text
    for clock in UTC_CLOCK:
        assert clock not in text


def manage_path(registration, language="lv"):
    token = links.make_token(registration, salt=links.MANAGE_SALT)
    return f"/{language}/manage/{token}/"


# --- pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "riga_date", "utc_date"),
    [
        ("lv", "2099. gada 15. februāris", "2099. gada 14. februāris"),
        ("en", "15 February 2099", "14 February 2099"),
    ],
)
def test_the_stage_page_shows_session_dates_and_times_in_riga_time(
    client, language, riga_date, utc_date
):
    stage = stage_with_sessions()

    page = client.get(f"/{language}/stages/{stage.pk}/").content.decode()

    assert_riga_clock(page)
    assert riga_date in page
    assert utc_date not in page


def test_the_manage_page_shows_session_times_in_riga_time(client):
    registration = RegistrationFactory(confirmed=True, stage=stage_with_sessions())

    page = client.get(manage_path(registration)).content.decode()

    assert_riga_clock(page)
    assert "2099. gada 15. februāris" in page


@pytest.mark.parametrize(
    ("closes_at", "now", "message"),
    [
        # 22:00 UTC on 28 February is midnight of 1 March in Riga.
        (
            datetime(2099, 2, 28, 22, 0, tzinfo=UTC),
            datetime(2099, 3, 2, tzinfo=UTC),
            "Registration for this stage closed on 1 March 2099.",
        ),
        # 21:30 UTC on 31 July is 00:30 on 1 August in Riga (summer time).
        (
            datetime(2099, 7, 31, 21, 30, tzinfo=UTC),
            datetime(2099, 8, 2, tzinfo=UTC),
            "Registration for this stage closed on 1 August 2099.",
        ),
    ],
)
def test_the_closing_date_in_the_refusal_is_the_riga_date(closes_at, now, message):
    stage = StageFactory(registration_opens_at=None, registration_closes_at=closes_at)

    with translation.override("en"):
        assert str(services.registration_refusal(stage, now=now)) == message


def test_the_opening_date_in_the_refusal_is_the_riga_date():
    opens_at = datetime(2099, 2, 28, 22, 0, tzinfo=UTC)  # 1 March, 00:00 in Riga
    stage = StageFactory(registration_opens_at=opens_at, registration_closes_at=None)

    with translation.override("lv"):
        refusal = str(services.registration_refusal(stage, now=datetime(2099, 2, 1, tzinfo=UTC)))

    assert "2099. gada 1. marts" in refusal


# --- registration mails and their .ics --------------------------------------------------------


def resent_mail(registration, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_resend_email(registration=registration)
    [message] = mail.outbox
    return message


@pytest.mark.parametrize("trait", ["confirmed", "waiting"])
@pytest.mark.parametrize(
    ("language", "riga_date"), [("lv", "2099. gada 15. februāris"), ("en", "15 February 2099")]
)
def test_registration_mails_list_the_sessions_in_riga_time(
    trait, language, riga_date, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(
        **{trait: True},
        stage=stage_with_sessions(),
        participant=ParticipantFactory(language=language),
    )

    message = resent_mail(registration, django_capture_on_commit_callbacks)

    [(html, _)] = message.alternatives
    for body in (message.body, html):
        assert_riga_clock(body)
        assert riga_date in body


def test_the_promotion_mail_lists_the_sessions_in_riga_time(django_capture_on_commit_callbacks):
    stage = stage_with_sessions(capacity=0)
    RegistrationFactory(waiting=True, stage=stage)
    stage.capacity = 1
    stage.save(update_fields=["capacity"])

    with django_capture_on_commit_callbacks(execute=True):
        [promoted] = services.waiting_list_promote(stage=stage)

    assert promoted.status == Registration.Status.CONFIRMED
    [message] = mail.outbox
    assert_riga_clock(message.body)


def ics_events(content):
    text = content.decode() if isinstance(content, bytes) else content
    return [line for line in text.replace("\r\n ", "").split("\r\n") if line.startswith("DT")]


# 09:00–12:00, 00:30–03:30 and 10:00–13:00 in Riga, written in UTC as RFC 5545 allows.
ICS_TIMES = [
    "DTSTART:20990115T070000Z",
    "DTEND:20990115T100000Z",
    "DTSTART:20990214T223000Z",
    "DTEND:20990215T013000Z",
    "DTSTART:20990715T070000Z",
    "DTEND:20990715T100000Z",
]


def test_the_seat_mail_carries_the_sessions_at_their_utc_moments(
    django_capture_on_commit_callbacks,
):
    registration = RegistrationFactory(confirmed=True, stage=stage_with_sessions())

    message = resent_mail(registration, django_capture_on_commit_callbacks)

    [(filename, content, _)] = message.attachments
    assert filename.endswith(".ics")
    lines = ics_events(content)
    assert [line for line in lines if not line.startswith("DTSTAMP")] == ICS_TIMES


def test_the_calendar_download_has_the_sessions_at_their_utc_moments(client):
    registration = RegistrationFactory(confirmed=True, stage=stage_with_sessions())

    response = client.get(manage_path(registration) + "calendar.ics")

    assert response.status_code == 200
    lines = ics_events(response.content)
    assert [line for line in lines if not line.startswith("DTSTAMP")] == ICS_TIMES


# --- reminders: Riga time whatever TIME_ZONE says ---------------------------------------------


@pytest.mark.parametrize(
    ("starts_at", "when"),
    [
        (WINTER, "When (Riga time): 15 January 2099, 09:00–12:00"),
        (SUMMER, "When (Riga time): 15 July 2099, 10:00–13:00"),
        (PAST_MIDNIGHT, "When (Riga time): 15 February 2099, 00:30–03:30"),
    ],
)
def test_a_reminder_gives_riga_time_even_when_time_zone_is_utc(
    starts_at, when, programme, run_scan, time_machine, settings
):
    settings.TIME_ZONE = "UTC"
    hour_before_rule(programme)
    session = helpers.make_session(starts_at, stage=StageFactory(programme=programme))
    confirmed(session.stage, seat_at=datetime(2099, 1, 1, tzinfo=UTC), language="en")
    time_machine.move_to(starts_at - timedelta(hours=1), tick=False)

    run_scan()

    [message] = mail.outbox
    assert when in message.body
    assert when.removeprefix("When (Riga time): ") in message.subject
