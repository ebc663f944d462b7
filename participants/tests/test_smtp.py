"""Registration mail through a real SMTP server (aiosmtpd on 127.0.0.1), read back and followed.

Django's SMTP backend talks to the server exactly as it would to the centre's mail server; the
messages are parsed from the bytes the server received, so encoding, MIME structure and the
attachment are what a mail program would see.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import translation

from courses.tests.factories import SessionFactory, StageFactory
from participants.models import Registration
from participants.tests.smtp_server import smtp_server_fixture  # noqa: F401

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

LINK = re.compile(r"https?://\S+/(?:lv|en)/confirm/[^/\s]+/")


def form_data(*, email, language):
    return {
        "first_name": "Dzintra",
        "last_name": "Šņepste-Ķēniņa",
        "email": email,
        "role": "teacher",
        "subjects": ["chemistry", "biology"],
        "institution": "Krāslavas Valsts ģimnāzija",
        "municipality": "kraslavas_novads",
        "phone": "",
        "sex": "",
        "language": language,
        "consent": "on",
    }


def text_and_html(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def attachments(message):
    return [part for part in message.iter_attachments() if part.get_content_type() != "text/html"]


@pytest.mark.parametrize(
    ("language", "subject_word", "greeting"),
    [("lv", "Lūdzu", "Sveicināti"), ("en", "Please confirm", "Hello")],
)
def test_confirmation_mail_arrives_over_smtp_and_its_link_confirms(
    client, smtp_server, django_capture_on_commit_callbacks, language, subject_word, greeting
):
    stage = StageFactory(capacity=5, title_lv="Eksaktās zinātnes", title_en="Exact sciences")
    SessionFactory(stage=stage)
    SessionFactory(stage=stage)
    programme = stage.programme
    email = f"dzintra.{language}@example.lv"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("participants:stage_detail", args=[stage.pk]),
            form_data(email=email, language=language),
        )
    assert response.status_code == 302

    [confirmation_request] = smtp_server.wait_for(1)
    assert confirmation_request["To"] == email
    assert "Inovāciju centrs" in confirmation_request["From"]
    assert subject_word in confirmation_request["Subject"]
    text, html = text_and_html(confirmation_request)
    acknowledgement = getattr(programme, f"acknowledgement_{language}")
    for body in (text, html):
        assert greeting in body
        assert "Dzintra" in body
        assert acknowledgement in body
    link = LINK.search(text).group(0)
    assert link in html
    assert urlsplit(link).path.startswith(f"/{language}/")

    confirm_path = urlsplit(link).path
    assert client.get(confirm_path).status_code == 200  # a button; opening alone confirms nothing
    assert Registration.objects.get().status == Registration.Status.AWAITING_CONFIRMATION
    with django_capture_on_commit_callbacks(execute=True):
        confirmed_page = client.post(confirm_path, follow=True)

    assert confirmed_page.status_code == 200
    registration = Registration.objects.get()
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.participant.last_name == "Šņepste-Ķēniņa"

    seat_mail = smtp_server.wait_for(2)[1]
    assert seat_mail["To"] == email
    text, html = text_and_html(seat_mail)
    assert acknowledgement in text and acknowledgement in html
    [calendar] = attachments(seat_mail)
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_filename().endswith(".ics")
    ics = calendar.get_content()
    if isinstance(ics, bytes):
        ics = ics.decode()
    assert ics.startswith("BEGIN:VCALENDAR")
    assert ics.count("BEGIN:VEVENT") == 2
    with translation.override(language):
        assert str(stage.title) in seat_mail["Subject"] + text


def test_latvian_letters_survive_the_smtp_round_trip(
    client, smtp_server, django_capture_on_commit_callbacks
):
    stage = StageFactory(title_lv="Ķīmija un fizika – ŗ, ō vairs nelieto")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("participants:stage_detail", args=[stage.pk]),
            form_data(email="ziedone@example.lv", language="lv"),
        )

    [message] = smtp_server.wait_for(1)
    assert "Ķīmija un fizika" in message["Subject"]
    text, html = text_and_html(message)
    assert "Ķīmija un fizika" in text
    assert "Ķīmija un fizika" in html
