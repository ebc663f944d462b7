"""Personal links: a fresh link withdraws the old ones, staff withdraw links, and a cancelled
registration's link shows only that it was cancelled."""

import re
from datetime import date

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import signing
from django.urls import reverse
from django.utils import translation

from courses.tests.factories import ProgrammeFactory, SessionFactory, StageFactory
from participants import links
from participants.certificates.models import Certificate
from participants.models import ParticipantMail, Registration
from participants.outbox.delivery import participant_mails_drain
from participants.privacy.services import participant_fresh_links_request
from participants.tests.factories import ParticipantFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
REPLACED = "Šī saite ir aizstāta ar jaunāku."


def url(name, **kwargs):
    with translation.override("lv"):
        return reverse(f"participants:{name}", kwargs=kwargs)


def manage_url(token):
    return url("registration_manage", token=token)


def manage_token(registration):
    registration.participant.refresh_from_db()
    return links.make_token(registration, salt=links.MANAGE_SALT)


def mailed_manage_tokens(mailoutbox):
    return set(re.findall(r"/manage/([^/\s\"<]+)/", mailoutbox[-1].body))


def without_csrf(content):
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)


@pytest.fixture
def registration():
    return RegistrationFactory(
        confirmed=True, participant=ParticipantFactory(email="liga@example.lv")
    )


# --- asking for a fresh link ------------------------------------------------------------------


def test_a_fresh_link_withdraws_the_old_one_and_the_new_one_works(client, registration, mailoutbox):
    old = manage_token(registration)
    assert client.get(manage_url(old)).status_code == 200

    response = client.post(url("link_request"), {"email": "  LIGA@example.lv "})
    participant_mails_drain()

    assert response.status_code == 302
    assert response["Location"] == url("link_request_sent")
    refused = client.get(manage_url(old))
    assert refused.status_code == 400
    assert REPLACED in refused.content.decode()
    [new] = mailed_manage_tokens(mailoutbox)
    assert new != old
    assert client.get(manage_url(new)).status_code == 200
    assert mailoutbox[0].to == ["liga@example.lv"]


def test_the_fresh_links_mail_lists_every_live_registration(registration, mailoutbox):
    second = RegistrationFactory(participant=registration.participant, waiting=True)
    RegistrationFactory(participant=registration.participant, cancelled=True)

    assert participant_fresh_links_request(email="liga@example.lv")
    participant_mails_drain()

    tokens = mailed_manage_tokens(mailoutbox)
    read = {"salt": links.MANAGE_SALT, "max_age": links.MANAGE_MAX_AGE}
    named = {links.registration_for_token(token, **read).pk for token in tokens}
    assert named == {registration.pk, second.pk}


def test_the_answer_is_the_same_for_an_unknown_address(client, registration, mailoutbox):
    known = client.post(url("link_request"), {"email": "liga@example.lv"}, follow=True)
    unknown = client.post(url("link_request"), {"email": "nav@example.lv"}, follow=True)

    assert known.redirect_chain == unknown.redirect_chain
    assert without_csrf(known.content) == without_csrf(unknown.content)
    assert ParticipantMail.objects.filter(template="fresh_links").count() == 1


def test_a_bad_address_is_explained_next_to_the_field(client):
    response = client.post(url("link_request"), {"email": "nav adrese"})

    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert not ParticipantMail.objects.exists()


def test_fresh_links_share_the_daily_mail_limit_of_the_public_form(registration, settings):
    settings.REGISTRATION_MAIL_DAILY_LIMIT = 2
    version = registration.participant.link_version

    results = [participant_fresh_links_request(email="liga@example.lv") for _ in range(3)]

    registration.participant.refresh_from_db()
    assert results == [True, True, False]
    # Beyond the limit no mail is recorded and the links in the last mail keep working.
    assert registration.participant.link_version == version + 2
    assert ParticipantMail.objects.filter(template="fresh_links").count() == 2


def test_requests_are_limited_per_client_address(client, registration, settings):
    settings.LINK_REQUEST_RATE_LIMIT = "2/h"

    answers = [
        client.post(url("link_request"), {"email": f"x{n}@example.lv"}).status_code
        for n in range(3)
    ]

    assert answers == [302, 302, 429]
    refused = client.post(url("link_request"), {"email": "liga@example.lv"})
    assert refused.status_code == 429
    assert "Retry-After" in refused
    assert not ParticipantMail.objects.exists()


def test_nothing_is_mailed_to_an_erased_or_cancelled_person(registration):
    cancelled = RegistrationFactory(cancelled=True, participant=ParticipantFactory(email="c@x.lv"))

    assert not participant_fresh_links_request(email=cancelled.participant.email)
    assert not participant_fresh_links_request(email="nobody@example.lv")
    assert not ParticipantMail.objects.exists()


# --- staff withdraw a person's links ----------------------------------------------------------


def test_staff_withdraw_links_from_the_admin(client, admin_client, registration):
    old = manage_token(registration)
    confirm = links.make_token(registration, salt=links.CONFIRMATION_SALT)

    response = admin_client.post(
        reverse("admin:participants_participant_changelist"),
        {"action": "withdraw_links", ACTION_CHECKBOX_NAME: [registration.participant.pk]},
    )

    assert response.status_code == 302
    assert client.get(manage_url(old)).status_code == 400
    assert client.get(url("registration_confirm", token=confirm)).status_code == 400
    assert client.get(manage_url(manage_token(registration))).status_code == 200


def test_a_link_made_before_link_versions_works_until_the_first_withdrawal(client, registration):
    # Links mailed before this change carry no version: they count as version 1.
    legacy = signing.TimestampSigner(salt=links.MANAGE_SALT).sign_object({"r": registration.pk})
    assert client.get(manage_url(legacy)).status_code == 200

    client.post(url("link_request"), {"email": "liga@example.lv"})

    assert client.get(manage_url(legacy)).status_code == 400


def test_a_withdrawn_link_no_longer_downloads_the_certificate(client, registration):
    Certificate.objects.create(
        participant=registration.participant,
        stage=registration.stage,
        programme=registration.stage.programme,
        sequence=1,
        number="DIC-1",
        verification_code="CODE000000000001",
        holder_name=registration.participant.full_name,
        hours_attended=60,
        hours_planned=60,
        issued_at=registration.created_at,
    )
    old = manage_token(registration)
    download = reverse("certificates:download", kwargs={"token": old})
    assert client.get(download).status_code == 200

    participant_fresh_links_request(email="liga@example.lv")

    assert client.get(download).status_code == 400


# --- a cancelled registration's link ----------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["registration_manage", "registration_cancel", "registration_calendar"]
)
def test_a_cancelled_registrations_link_shows_only_that_it_was_cancelled(client, name):
    stage = StageFactory(programme=ProgrammeFactory(end_date=date(2099, 1, 1)))
    SessionFactory(stage=stage)
    registration = RegistrationFactory(
        stage=stage,
        cancelled=True,
        participant=ParticipantFactory(first_name="Ieva", phone="+371 29999999"),
    )

    response = client.get(url(name, token=manage_token(registration)))

    page = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Šī reģistrācija ir atcelta." in page
    for personal in ["Ieva", registration.participant.email, "29999999", 'name="first_name"']:
        assert personal not in page
    assert not re.search(r'href="[^"]*(calendar\.ics|personal-data\.json|/cancel/)"', page)


def test_a_cancelled_registrations_link_gives_no_data_and_no_certificate(client):
    registration = RegistrationFactory(cancelled=True)
    token = manage_token(registration)

    data = client.get(url("registration_personal_data", token=token))
    certificate = client.get(reverse("certificates:download", kwargs={"token": token}))

    assert data["Content-Type"].startswith("text/html")
    assert "Šī reģistrācija ir atcelta." in data.content.decode()
    assert certificate.status_code == 404


def test_cancelling_then_shows_the_cancelled_page(client, registration):
    token = manage_token(registration)

    response = client.post(url("registration_cancel", token=token), follow=True)

    assert Registration.objects.get(pk=registration.pk).status == Registration.Status.CANCELLED
    assert "Šī reģistrācija ir atcelta." in response.content.decode()
    assert registration.participant.email not in response.content.decode()


def test_an_old_confirmation_link_is_refused_after_a_fresh_link(client):
    registration = RegistrationFactory(participant=ParticipantFactory(email="jauns@example.lv"))
    old = links.make_token(registration, salt=links.CONFIRMATION_SALT)

    participant_fresh_links_request(email="jauns@example.lv")

    assert client.post(url("registration_confirm", token=old)).status_code == 400
    registration.refresh_from_db()
    assert registration.status == Registration.Status.AWAITING_CONFIRMATION
