import unicodedata
from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.urls import reverse
from django.utils import timezone, translation

from courses.tests.factories import SessionFactory, StageFactory, riga
from participants import links, services
from participants.models import Participant, Registration
from participants.tests.factories import ParticipantFactory, RegistrationFactory

Status = Registration.Status
pytestmark = pytest.mark.django_db


def url(name, *, language="lv", **kwargs):
    with translation.override(language):
        return reverse(f"participants:{name}", kwargs=kwargs)


def form_data(**overrides):
    data = {
        "first_name": "Līga",
        "last_name": "Ērgle",
        "email": "liga@example.lv",
        "role": "teacher",
        "subjects": ["chemistry", "physics"],
        "institution": "Daugavpils 9. vidusskola",
        "municipality": "daugavpils",
        "phone": "+371 20000000",
        "sex": "",
        "language": "lv",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def manage_token(registration):
    return links.make_token(registration, salt=links.MANAGE_SALT)


def confirm_token(registration):
    return links.make_token(registration, salt=links.CONFIRMATION_SALT)


# --- public pages -----------------------------------------------------------------------------


def test_root_redirects_to_latvian(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/lv/"


def test_english_pages_work(client):
    stage = StageFactory(title_en="Exact sciences")

    response = client.get("/en/")

    assert response.status_code == 200
    assert "Exact sciences" in response.content.decode()
    assert stage.programme.acknowledgement_en in response.content.decode()


def test_the_programme_page_shows_stages_dates_mode_seats_and_the_acknowledgement(client):
    stage = StageFactory(capacity=20, title_lv="Eksaktās zinātnes")
    SessionFactory(stage=stage, starts_at=riga(2027, 3, 15, 10), ends_at=riga(2027, 3, 15, 13))
    SessionFactory(stage=stage, starts_at=riga(2027, 3, 22, 10), ends_at=riga(2027, 3, 22, 13))
    RegistrationFactory.create_batch(3, stage=stage, confirmed=True)
    RegistrationFactory(stage=stage)  # unconfirmed: holds no seat

    page = client.get("/lv/").content.decode()

    assert "Eksaktās zinātnes" in page
    assert "2027. gada 15. marts" in page
    assert "17 brīvas vietas no 20" in page
    assert "tiešsaistē (Zoom)" in page
    assert stage.programme.acknowledgement_lv in page


def test_a_full_stage_says_so_on_the_programme_page(client):
    stage = StageFactory(capacity=1)
    RegistrationFactory(stage=stage, confirmed=True)

    page = client.get("/lv/").content.decode()

    assert "Brīvu vietu nav" in page


def programme_with_sessions(count):
    stage = StageFactory()
    other = StageFactory(programme=stage.programme)
    SessionFactory.create_batch(count, stage=stage)
    SessionFactory.create_batch(count, stage=other)
    return stage


@pytest.mark.parametrize("sessions", [1, 50])
def test_the_programme_page_query_count_does_not_grow(sessions, client, django_assert_num_queries):
    programme_with_sessions(sessions)

    # the cache's next moment, programme, stages with hours and seats, their sessions
    with django_assert_num_queries(4):
        response = client.get("/lv/")
    with django_assert_num_queries(0):  # from the cache (participants.page_cache)
        cached = client.get("/lv/")

    assert response.content.decode().count("<tr>") == 2 * sessions + 2  # + a header row each
    assert cached.content.decode().count("<tr>") == 2 * sessions + 2


@pytest.mark.parametrize("registrations", [1, 200])
def test_the_stage_page_query_count_does_not_grow(registrations, client, django_assert_num_queries):
    stage = StageFactory(capacity=500)
    SessionFactory.create_batch(3, stage=stage)
    RegistrationFactory.create_batch(registrations, stage=stage, confirmed=True)

    # the cache's next moment, programme, the stage with hours and seats, its sessions,
    # "is it past?"
    with django_assert_num_queries(5):
        response = client.get(url("stage_detail", stage_id=stage.pk))
    with django_assert_num_queries(0):  # from the cache (participants.page_cache)
        cached = client.get(url("stage_detail", stage_id=stage.pk))

    assert f"{500 - registrations} brīvas vietas no 500" in response.content.decode()
    assert f"{500 - registrations} brīvas vietas no 500" in cached.content.decode()


def test_an_unknown_stage_is_404(client):
    StageFactory()

    assert client.get(url("stage_detail", stage_id=999)).status_code == 404


def test_the_language_switch_keeps_the_page(client):
    stage = StageFactory(title_en="Exact sciences")
    page = client.get(url("stage_detail", stage_id=stage.pk)).content.decode()
    assert 'name="language" value="en"' in page  # a real button, reachable by keyboard

    response = client.post(
        "/i18n/setlang/",
        {"language": "en", "next": url("stage_detail", stage_id=stage.pk)},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/en/stages/{stage.pk}/"
    assert "Exact sciences" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("language", ["lv", "en"])
def test_the_privacy_notice_exists_in_both_languages(client, language):
    response = client.get(url("privacy", language=language))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Daugavpils" in page
    assert services.CONSENT_VERSION in page
    assert ("Privātuma paziņojums" if language == "lv" else "Privacy notice") in page


# --- registering ------------------------------------------------------------------------------


def test_the_stage_page_has_the_registration_form(client):
    stage = StageFactory()

    page = client.get(url("stage_detail", stage_id=stage.pk)).content.decode()

    for field in ("first_name", "last_name", "email", "role", "subjects", "institution"):
        assert f'name="{field}"' in page
    for field in ("municipality", "phone", "sex", "language", "consent"):
        assert f'name="{field}"' in page
    assert url("privacy") in page
    assert 'aria-hidden="true"' in page  # the honeypot's wrapper


def test_registering_redirects_to_check_your_email(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    stage = StageFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("stage_detail", stage_id=stage.pk), form_data())

    assert response.status_code == 302
    assert response["Location"] == url("registration_sent", stage_id=stage.pk)
    registration = Registration.objects.get()
    assert registration.status == Status.AWAITING_CONFIRMATION
    assert registration.consent_version == services.CONSENT_VERSION
    assert registration.participant.subjects == ["chemistry", "physics"]
    assert len(mailoutbox) == 1
    page = client.get(response["Location"]).content.decode()
    assert "Pārbaudiet savu e-pastu" in page


def test_latvian_letters_typed_decomposed_are_stored_composed(client):
    stage = StageFactory()
    first = unicodedata.normalize("NFD", "  Līga ")
    last = unicodedata.normalize("NFD", "Ērgle-Šķēle")
    assert first.strip() != "Līga"  # the test input really is decomposed

    client.post(
        url("stage_detail", stage_id=stage.pk),
        form_data(first_name=first, last_name=last, email="  Liga.Ergle@Example.LV "),
    )

    participant = Participant.objects.get()
    assert participant.first_name == "Līga"
    assert participant.last_name == "Ērgle-Šķēle"
    assert participant.email == "liga.ergle@example.lv"


def test_errors_stand_next_to_their_fields_in_latvian(client):
    stage = StageFactory()

    response = client.post(
        url("stage_detail", stage_id=stage.pk),
        form_data(email="not-an-address", consent=None, municipality=None),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert Registration.objects.count() == 0
    assert 'id="error_1_id_email"' in page
    assert "Jāievada derīga e-pasta adrese." in page
    assert 'id="error_1_id_consent"' in page
    assert "piekrītiet privātuma paziņojumam" in page
    assert 'id="error_1_id_municipality"' in page
    # The summary at the top links to each field.
    assert 'href="#id_email"' in page
    assert 'href="#id_consent"' in page


def test_errors_are_in_english_on_the_english_page(client):
    stage = StageFactory()

    page = client.post(
        url("stage_detail", stage_id=stage.pk, language="en"), form_data(email="nope")
    ).content.decode()

    assert "Enter a valid email address." in page


def test_registering_twice_shows_the_same_page(client, django_capture_on_commit_callbacks):
    stage = StageFactory()
    first = client.post(url("stage_detail", stage_id=stage.pk), form_data())
    registration = Registration.objects.get()
    services.registration_confirm_email(registration=registration)

    second = client.post(url("stage_detail", stage_id=stage.pk), form_data(email="LIGA@example.lv"))

    assert second.status_code == first.status_code == 302
    assert second["Location"] == first["Location"]
    assert Registration.objects.count() == 1


def test_registration_before_the_window_is_refused_with_a_message(client):
    stage = StageFactory(
        registration_opens_at=timezone.now() + timedelta(days=3),
        registration_closes_at=timezone.now() + timedelta(days=30),
    )

    page = client.get(url("stage_detail", stage_id=stage.pk)).content.decode()
    response = client.post(url("stage_detail", stage_id=stage.pk), form_data())

    assert "vēl nav sākusies" in page
    assert 'name="email"' not in page
    assert response.status_code == 200
    assert Registration.objects.count() == 0


def test_registration_after_the_window_is_refused(client):
    stage = StageFactory(
        registration_opens_at=timezone.now() - timedelta(days=30),
        registration_closes_at=timezone.now() - timedelta(days=1),
    )

    response = client.post(url("stage_detail", stage_id=stage.pk), form_data())

    assert "ir slēgta" in response.content.decode()
    assert Registration.objects.count() == 0


def test_a_full_stage_offers_the_waiting_list(client):
    stage = StageFactory(capacity=1)
    RegistrationFactory(stage=stage, confirmed=True)

    page = client.get(url("stage_detail", stage_id=stage.pk)).content.decode()

    assert "visas vietas ir aizņemtas" in page
    assert 'name="email"' in page


def test_a_bot_filling_the_honeypot_gets_the_same_page_and_nothing_is_saved(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    stage = StageFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("stage_detail", stage_id=stage.pk), form_data(website="http://spam.example")
        )

    assert response.status_code == 302
    assert response["Location"] == url("registration_sent", stage_id=stage.pk)
    assert Registration.objects.count() == 0
    assert Participant.objects.count() == 0
    assert mailoutbox == []


# --- confirming by link -----------------------------------------------------------------------


def test_the_confirmation_link_asks_then_confirms(client, django_capture_on_commit_callbacks):
    registration = RegistrationFactory(stage=StageFactory(capacity=5))
    confirm_url = url("registration_confirm", token=confirm_token(registration))

    page = client.get(confirm_url)
    registration.refresh_from_db()
    assert page.status_code == 200
    assert registration.status == Status.AWAITING_CONFIRMATION  # opening the link is not enough

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm_url)

    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED
    assert response.status_code == 302
    assert "/lv/manage/" in response["Location"]
    assert "Jums ir vieta." in client.get(response["Location"]).content.decode()


def test_a_second_click_changes_nothing(client):
    registration = RegistrationFactory(stage=StageFactory(capacity=5))
    confirm_url = url("registration_confirm", token=confirm_token(registration))
    client.post(confirm_url)

    response = client.post(confirm_url)

    assert response.status_code == 302
    assert Registration.objects.get().status == Status.CONFIRMED


def test_a_tampered_confirmation_link_gets_a_clear_page(client):
    registration = RegistrationFactory()
    token = confirm_token(registration)

    response = client.post(url("registration_confirm", token=token[:-3] + "abc"))

    assert response.status_code == 400
    assert "Šī saite nedarbojas" in response.content.decode()
    assert Registration.objects.get().status == Status.AWAITING_CONFIRMATION


def test_a_manage_token_does_not_confirm(client):
    registration = RegistrationFactory()

    response = client.post(url("registration_confirm", token=manage_token(registration)))

    assert response.status_code == 400


def test_an_expired_confirmation_link_says_so(client):
    registration = RegistrationFactory()
    with time_machine.travel(timezone.now() - timedelta(hours=73)):
        token = confirm_token(registration)

    response = client.post(url("registration_confirm", token=token))

    assert response.status_code == 400
    assert "derīguma termiņš ir beidzies" in response.content.decode()
    assert Registration.objects.get().status == Status.AWAITING_CONFIRMATION


def test_a_link_to_a_purged_registration_gets_a_clear_page(client):
    registration = RegistrationFactory()
    token = confirm_token(registration)
    registration.delete()

    response = client.get(url("registration_confirm", token=token))

    assert response.status_code == 400


# --- the manage page --------------------------------------------------------------------------


def test_the_manage_page_shows_status_and_sessions(client):
    registration = RegistrationFactory(waiting=True, stage=StageFactory(capacity=0))
    SessionFactory(stage=registration.stage, topic_lv="Kompetenču pieeja")

    page = client.get(url("registration_manage", token=manage_token(registration)))

    content = page.content.decode()
    assert page.status_code == 200
    assert "gaidīšanas saraksts" in content
    assert "1. vietā" in content
    assert "Kompetenču pieeja" in content
    assert registration.participant.email in content


def test_a_tampered_manage_link_shows_nobodys_data(client):
    registration = RegistrationFactory(participant=ParticipantFactory(first_name="Austra"))
    other = RegistrationFactory()
    # Austra's payload with the timestamp and signature of someone else's genuine link.
    payload = manage_token(registration).split(":")[0]
    token = ":".join([payload, *manage_token(other).split(":")[1:]])

    response = client.get(url("registration_manage", token=token))

    assert response.status_code == 400
    assert "Austra" not in response.content.decode()


def test_an_unsigned_payload_is_refused(client):
    registration = RegistrationFactory()
    forged = signing.TimestampSigner(key="guess", salt=links.MANAGE_SALT).sign_object(
        {"r": registration.pk}
    )

    assert client.get(url("registration_manage", token=forged)).status_code == 400


def test_details_can_be_changed_but_not_the_email(client):
    registration = RegistrationFactory(confirmed=True)
    manage_url = url("registration_manage", token=manage_token(registration))
    data = form_data(
        first_name="Anna", municipality="augsdaugavas_novads", email="mallory@example.lv"
    )
    data["language"] = "en"

    response = client.post(manage_url, data)

    participant = Participant.objects.get()
    assert response.status_code == 302
    assert participant.first_name == "Anna"
    assert participant.municipality == "augsdaugavas_novads"
    assert participant.language == "en"
    assert participant.email == registration.participant.email


def test_bad_details_show_errors_and_change_nothing(client):
    registration = RegistrationFactory(confirmed=True)
    manage_url = url("registration_manage", token=manage_token(registration))

    response = client.post(manage_url, form_data(first_name="", phone="call me"))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="error_1_id_first_name"' in page
    assert 'id="error_1_id_phone"' in page
    assert Participant.objects.get().first_name == "Līga"


def test_cancelling_asks_first_then_frees_the_seat(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    stage = StageFactory(capacity=1)
    registration = RegistrationFactory(stage=stage, confirmed=True)
    waiting = RegistrationFactory(stage=stage, waiting=True)
    cancel_url = url("registration_cancel", token=manage_token(registration))

    question = client.get(cancel_url)
    assert question.status_code == 200
    assert "Jā, atcelt manu reģistrāciju" in question.content.decode()
    assert Registration.objects.get(pk=registration.pk).status == Status.CONFIRMED

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(cancel_url)

    assert response.status_code == 302
    registration.refresh_from_db()
    waiting.refresh_from_db()
    assert registration.status == Status.CANCELLED
    assert not registration.cancelled_by_staff
    assert waiting.status == Status.CONFIRMED
    assert len(mailoutbox) == 2


def test_leaving_the_waiting_list_from_the_manage_page(client):
    registration = RegistrationFactory(waiting=True, stage=StageFactory(capacity=0))
    manage_page = client.get(url("registration_manage", token=manage_token(registration)))
    assert "Iziet no gaidīšanas saraksta" in manage_page.content.decode()

    client.post(url("registration_cancel", token=manage_token(registration)))

    assert Registration.objects.get().status == Status.CANCELLED


def test_cancelling_needs_csrf():
    from django.test import Client

    registration = RegistrationFactory(confirmed=True)
    strict = Client(enforce_csrf_checks=True)

    response = strict.post(url("registration_cancel", token=manage_token(registration)))

    assert response.status_code == 403
    assert Registration.objects.get().status == Status.CONFIRMED


def test_the_calendar_download_has_every_session(client):
    registration = RegistrationFactory(confirmed=True)
    SessionFactory.create_batch(8, stage=registration.stage)

    response = client.get(url("registration_calendar", token=manage_token(registration)))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.decode().count("BEGIN:VEVENT") == 8


def test_the_calendar_download_refuses_a_bad_link(client):
    assert client.get(url("registration_calendar", token="nope")).status_code == 400


def test_absurd_stage_numbers_are_404_not_500(client):
    StageFactory()

    assert client.get("/lv/stages/99999999999999999999999/").status_code == 404
    assert client.get("/lv/stages/99999999999999999999999/registered/").status_code == 404


def test_an_expired_manage_link_says_so_and_shows_no_data(client):
    registration = RegistrationFactory(participant=ParticipantFactory(first_name="Austra"))
    with time_machine.travel(timezone.now() - links.MANAGE_MAX_AGE - timedelta(days=1)):
        token = manage_token(registration)

    response = client.get(url("registration_manage", token=token))

    assert response.status_code == 400
    assert "derīguma termiņš ir beidzies" in response.content.decode()
    assert "Austra" not in response.content.decode()


@pytest.mark.parametrize(
    ("taken", "expected"),
    [(19, "1 brīva vieta no 20"), (0, "20 brīvas vietas no 20"), (20, "Brīvu vietu nav")],
)
def test_seats_left_follow_latvian_number_agreement(client, taken, expected):
    stage = StageFactory(capacity=20)
    RegistrationFactory.create_batch(taken, stage=stage, confirmed=True)
    page = client.get(f"/lv/stages/{stage.pk}/").content.decode()
    assert expected in page


# --- a cancelled registration: its manage page changes nothing on POST ----------------------


def cancelled_by_staff(stage):
    return RegistrationFactory(
        stage=stage, cancelled=True, cancelled_by_staff=True, cancellation_reason="Dublikāts"
    )


def test_the_details_form_of_a_cancelled_registration_changes_nothing(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    registration = cancelled_by_staff(StageFactory())
    before = Participant.objects.values().get()
    changed = form_data(
        first_name="Anna", phone="+371 29999999", municipality="augsdaugavas_novads"
    )
    changed["language"] = "en"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("registration_manage", token=manage_token(registration)), changed
        )

    assert response.status_code == 200
    assert "Šī reģistrācija ir atcelta." in response.content.decode()
    assert Participant.objects.values().get() == before
    assert mailoutbox == []


def test_the_cancel_form_of_a_cancelled_registration_changes_nothing(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    stage = StageFactory(capacity=1)
    RegistrationFactory(stage=stage, confirmed=True)
    waiting = RegistrationFactory(stage=stage, waiting=True)
    registration = cancelled_by_staff(stage)
    before = Registration.objects.values().get(pk=registration.pk)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("registration_cancel", token=manage_token(registration)))

    assert response.status_code == 200
    # An old link of a cancelled registration shows only that it was cancelled.
    assert "Šī reģistrācija ir atcelta." in response.content.decode()
    assert Registration.objects.values().get(pk=registration.pk) == before
    assert Registration.objects.get(pk=waiting.pk).status == Status.WAITING_LIST
    assert mailoutbox == []


# --- the waiting list: the page says waiting, never "you have a seat" ------------------------


@pytest.mark.parametrize(
    ("language", "waiting", "seat"),
    [
        (
            "lv",
            "Gaidīšanas sarakstā jūs esat 2. vietā.",
            ["Jums ir vieta", "vieta ir apstiprināta"],
        ),
        ("en", "You are number 2 on the waiting list.", ["You have a seat", "seat is confirmed"]),
    ],
)
def test_the_manage_page_of_a_waiting_person_says_waiting_not_seat(client, language, waiting, seat):
    stage = StageFactory(capacity=1)
    RegistrationFactory(stage=stage, confirmed=True)
    RegistrationFactory(stage=stage, waiting=True, waiting_since=riga(2026, 11, 1))
    registration = RegistrationFactory(stage=stage, waiting=True, waiting_since=riga(2026, 11, 2))

    response = client.get(
        url("registration_manage", language=language, token=manage_token(registration))
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert waiting in page
    assert not any(words in page for words in seat)
    assert "alert-success" not in page


def test_confirming_into_a_full_stage_lands_on_a_page_that_says_waiting(
    client, django_capture_on_commit_callbacks
):
    stage = StageFactory(capacity=1)
    RegistrationFactory(stage=stage, confirmed=True)
    registration = RegistrationFactory(stage=stage)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("registration_confirm", token=confirm_token(registration)))
    page = client.get(response["Location"]).content.decode()

    assert Registration.objects.get(pk=registration.pk).status == Status.WAITING_LIST
    assert "Gaidīšanas sarakstā jūs esat 1. vietā." in page
    assert "Jums ir vieta" not in page
