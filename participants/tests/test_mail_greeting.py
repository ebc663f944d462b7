"""Every participant mail greets the person by the name as they typed it.

Latvian addresses people in the vocative ("Sveiki, Jāni!"), but a vocative made by rule goes
wrong for many names (foreign, double, feminine names ending in a consonant, names the person
spells in their own way): the mails greet with the full name in the nominative instead
("Sveicināti, Jānis Bērziņš!"), which fits every name.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

from courses.tests.factories import SessionFactory, StageFactory
from participants.mail import render_participant_mail
from participants.tests.factories import ParticipantFactory, RegistrationFactory

EMAIL_TEMPLATES = Path(settings.BASE_DIR, "templates", "participants", "email")
MAILS = sorted(
    path.name.removesuffix("_subject.txt") for path in EMAIL_TEMPLATES.glob("*_subject.txt")
)
GREETINGS = {"lv": "Sveicināti, Jānis Bērziņš!", "en": "Hello Jānis Bērziņš,"}


def test_the_mails_are_found():
    assert {"awaiting_confirmation", "confirmed", "reminder", "certificate"} <= set(MAILS)


@pytest.mark.parametrize("language", ["lv", "en"])
@pytest.mark.parametrize("template", MAILS)
def test_a_mail_greets_with_the_full_name_as_typed(db, template, language):
    participant = ParticipantFactory(first_name="Jānis", last_name="Bērziņš", language=language)
    stage = StageFactory()
    session = SessionFactory(stage=stage)
    registration = RegistrationFactory(participant=participant, stage=stage, confirmed=True)
    context = {"stage": stage, "registration": registration, "session": session}
    message = render_participant_mail(participant=participant, template=template, context=context)
    (html, _) = message.alternatives[0]

    assert message.body.splitlines()[0] == GREETINGS[language]
    assert f"<p>{GREETINGS[language]}</p>" in html
    assert not re.search(r"\bJāni\b", message.body + html)  # no vocative anywhere
