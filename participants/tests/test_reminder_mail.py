"""What the reminder says: topic, Riga date and time in the person's language, where, the manage
link, the funder's note, and the session's .ics."""

from datetime import timedelta

import pytest
from django.core import mail

from courses.models import Session
from participants.links import MANAGE_SALT, read_token
from participants.tests import test_reminder_helpers as helpers
from participants.tests.test_reminder_helpers import (
    confirmed,
    hour_before_rule,
    make_session,
    riga,
)

pytestmark = pytest.mark.django_db

# Fixtures shared by the reminder tests.
programme = helpers.programme
run_scan = helpers.run_scan

START = riga(2027, 3, 15, 10, 0)
ZOOM = "https://us02web.zoom.us/j/81234567890?pwd=abc&x=1"


@pytest.fixture
def reminded(programme, run_scan, time_machine):
    """Send the hour-before reminder of one session to one person; return the message."""

    def remind(*, language="lv", **session_fields):
        hour_before_rule(programme)
        fields = {"zoom_url": ZOOM, "topic_lv": "Ķīmija skolā", "topic_en": "Chemistry at school"}
        session = make_session(START, **{**fields, **session_fields})
        registration = confirmed(session.stage, seat_at=riga(2027, 3, 1), language=language)
        time_machine.move_to(START - timedelta(minutes=60), tick=False)
        run_scan()
        [message] = mail.outbox
        return message, registration, session

    return remind


def html_of(message):
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def ics_of(message):
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == ("session.ics", "text/calendar")
    return content.decode() if isinstance(content, bytes) else content


def test_a_latvian_reminder_gives_the_topic_and_riga_time_in_latvian(reminded):
    message, registration, _ = reminded(language="lv")

    assert message.to == [registration.participant.email]
    assert message.subject == "Atgādinājums: Ķīmija skolā, 2027. gada 15. marts, 10:00–13:00"
    assert "Kad (pēc Rīgas laika): 2027. gada 15. marts, 10:00–13:00" in message.body
    participant = registration.participant
    assert f"Sveicināti, Līga {participant.last_name}!" in message.body
    assert "2027. gada 15. marts, 10:00–13:00" in html_of(message)


def test_an_english_reminder_is_in_english(reminded, programme):
    message, _, _ = reminded(language="en")

    assert message.subject == "Reminder: Chemistry at school, 15 March 2027, 10:00–13:00"
    assert "When (Riga time): 15 March 2027, 10:00–13:00" in message.body
    assert programme.acknowledgement_en in message.body


def test_an_online_session_gives_the_zoom_link_not_the_venue(reminded):
    message, _, _ = reminded(mode=Session.Mode.ONLINE)

    assert f"Pievienoties Zoom: {ZOOM}" in message.body  # not HTML-escaped in the text part
    assert 'href="https://us02web.zoom.us/j/81234567890?pwd=abc&amp;x=1"' in html_of(message)
    assert "Norises vieta:" not in message.body


def test_an_onsite_session_gives_the_venue_not_the_zoom_link(reminded):
    message, _, _ = reminded(mode=Session.Mode.ONSITE)

    assert "Norises vieta: Vienības iela 30, Daugavpils" in message.body
    assert "zoom.us" not in message.body
    assert "zoom.us" not in html_of(message)


def test_a_hybrid_session_gives_both(reminded):
    message, _, _ = reminded(mode=Session.Mode.HYBRID)

    assert ZOOM in message.body
    assert "Norises vieta: Vienības iela 30, Daugavpils" in message.body


def test_the_manage_link_opens_the_persons_registration(reminded, settings):
    message, registration, _ = reminded(language="lv")

    line = next(line for line in message.body.splitlines() if "/manage/" in line)
    assert line.startswith(f"{settings.SITE_URL}/lv/manage/")
    token = line.rstrip("/").rsplit("/", 1)[1]
    assert read_token(token, salt=MANAGE_SALT, max_age=timedelta(days=1)) == registration.pk
    assert line in html_of(message)


def test_the_funders_acknowledgement_is_in_the_mail(reminded, programme):
    message, _, _ = reminded(language="lv")

    assert programme.acknowledgement_lv in message.body
    assert programme.acknowledgement_lv in html_of(message)


def test_the_mail_carries_an_ics_for_that_session(reminded, settings):
    message, _, session = reminded(language="lv")

    ics = ics_of(message)
    assert ics.startswith("BEGIN:VCALENDAR\r\n")
    assert f"UID:session-{session.pk}@127.0.0.1\r\n" in ics
    assert "DTSTART:20270315T080000Z\r\n" in ics
    assert "SUMMARY:Ķīmija skolā\r\n" in ics
    assert ics.count("BEGIN:VEVENT") == 1


def test_the_day_before_reminder_says_tomorrow(programme, run_scan, time_machine):
    from datetime import time

    from participants.tests.test_reminder_helpers import day_before_rule

    day_before_rule(programme, at=time(18, 0))
    session = make_session(START, topic_lv="Fizika")
    confirmed(session.stage, seat_at=riga(2027, 3, 1))
    time_machine.move_to(riga(2027, 3, 14, 18, 0), tick=False)

    run_scan()

    assert mail.outbox[0].subject == "Rīt: Fizika, 2027. gada 15. marts, 10:00–13:00"


def test_summer_time_is_shown_as_riga_wall_clock_time(programme, run_scan, time_machine):
    hour_before_rule(programme)
    summer = riga(2027, 6, 10, 9, 30)
    session = make_session(summer, topic_lv="Bioloģija")
    confirmed(session.stage, seat_at=riga(2027, 3, 1), language="en")
    time_machine.move_to(summer - timedelta(minutes=60), tick=False)

    run_scan()

    assert "10 June 2027, 09:30–12:30" in mail.outbox[0].body
    assert "DTSTART:20270610T063000Z" in ics_of(mail.outbox[0])


def test_a_day_before_reminder_sent_late_on_the_day_itself_does_not_say_tomorrow(
    programme, run_scan, time_machine
):
    from participants.tests.test_reminder_helpers import day_before_rule

    day_before_rule(programme)
    session = make_session(START, topic_lv="Fizika")
    confirmed(session.stage, seat_at=riga(2027, 3, 1))
    time_machine.move_to(riga(2027, 3, 15, 7, 0), tick=False)  # the scan was down overnight

    run_scan()

    assert mail.outbox[0].subject == "Atgādinājums: Fizika, 2027. gada 15. marts, 10:00–13:00"
