"""Bad input never gives a 500 and never loses data: public pages, forms, admin and commands.

Runs on SQLite and PostgreSQL (PostgreSQL refuses NUL characters in text and integers out of
range, where SQLite stores them: both must end in a clear answer, never a 500).
"""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.core import mail, signing
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from courses.models import ReminderRule, Session, Stage
from courses.tests.factories import ProgrammeFactory, SessionFactory, StageFactory
from innovation_centre.staff import PROGRAMME_STAFF
from participants import links
from participants.models import Participant, Registration, ReminderDelivery
from participants.tests.factories import ParticipantFactory, RegistrationFactory
from participants.tests.test_views import form_data

pytestmark = pytest.mark.django_db

Status = Registration.Status
HUGE_ID = "9" * 30
NUL = "\x00"


@pytest.fixture
def client():
    """A client that raises a view's exception instead of answering 500, so a test shows it."""
    return Client(raise_request_exception=True)


def manage_path(registration, language="lv"):
    return f"/{language}/manage/{links.make_token(registration, salt=links.MANAGE_SALT)}/"


def confirm_path(registration):
    return f"/lv/confirm/{links.make_token(registration, salt=links.CONFIRMATION_SALT)}/"


# --- public URLs: wrong IDs, tokens, methods, prefixes --------------------------------------

BAD_STAGE_PATHS = [
    f"/lv/stages/{HUGE_ID}/",
    "/lv/stages/9223372036854775808/",
    "/lv/stages/0/",
    f"/en/stages/{HUGE_ID}/registered/",
    "/lv/stages/abc/",
    "/lv/stages/-1/",
]


@pytest.mark.parametrize("path", BAD_STAGE_PATHS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_unknown_stage_is_404(client, path, method):
    StageFactory()

    response = getattr(client, method)(path)

    assert response.status_code == 404


def _signed_by_someone_else(payload):
    return signing.TimestampSigner(key="not-our-secret", salt=links.MANAGE_SALT).sign_object(
        payload
    )


# Malformed tokens. Tampered ones that name a real registration are in TAMPERED below: a token
# naming a fixed id (say 1) names nobody on PostgreSQL, whose ids keep counting across tests.
BAD_TOKENS = [
    "x",
    "a" * 5000,
    "%C4%81%C4%8D%C5%BE",  # āčž
    "%00",
    "::::",
    "%F0%9F%98%80",  # an emoji
    "e30:1abcde:xyz",  # base64 of "{}"
]


@pytest.mark.parametrize("token", BAD_TOKENS)
@pytest.mark.parametrize(
    "template", ["/lv/confirm/{}/", "/lv/manage/{}/", "/lv/manage/{}/cancel/", "/en/manage/{}/"]
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_malformed_or_tampered_token_is_a_clear_400(client, token, template, method):
    registration = RegistrationFactory(confirmed=True)

    response = getattr(client, method)(template.format(token))

    assert response.status_code == 400
    assert registration.participant.email not in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED


def _flip_last(text):
    return text[:-1] + ("A" if text[-1] != "A" else "B")


def _tampered_signature(token):
    payload, stamp, signature = token.split(":")
    return f"{payload}:{stamp}:{_flip_last(signature)}"


def _tampered_stamp(token):
    payload, stamp, signature = token.split(":")
    return f"{payload}:{_flip_last(stamp)}:{signature}"


def _expired(registration, salt, max_age):
    with time_machine.travel(timezone.now() - max_age - timedelta(minutes=1)):
        return links.make_token(registration, salt=salt)


# Each makes, from a real registration, a token that must not open it.
TAMPERED = {
    "signature": lambda r, salt, max_age: _tampered_signature(links.make_token(r, salt=salt)),
    "timestamp": lambda r, salt, max_age: _tampered_stamp(links.make_token(r, salt=salt)),
    "no signature": lambda r, salt, max_age: links.make_token(r, salt=salt).split(":")[0],
    "empty signature": lambda r, salt, max_age: (
        links.make_token(r, salt=salt).rsplit(":", 1)[0] + ":"
    ),
    "another key": lambda r, salt, max_age: signing.TimestampSigner(
        key="not-our-secret", salt=salt
    ).sign_object({"r": r.pk}),
    "expired": _expired,
}
CONFIRM = (links.CONFIRMATION_SALT, links.CONFIRMATION_MAX_AGE)
MANAGE = (links.MANAGE_SALT, links.MANAGE_MAX_AGE)
# (method, address, salt, max_age): every request a personal link serves.
LINK_REQUESTS = {
    f"{method}-{name}": (method, template, *kind)
    for name, template, kind, methods in [
        ("confirm", "/lv/confirm/{}/", CONFIRM, ["get", "post"]),
        ("manage", "/lv/manage/{}/", MANAGE, ["get", "post"]),
        ("cancel", "/lv/manage/{}/cancel/", MANAGE, ["get", "post"]),
        ("manage-en", "/en/manage/{}/", MANAGE, ["get", "post"]),
        ("calendar", "/lv/manage/{}/calendar.ics", MANAGE, ["get"]),
    ]
    for method in methods
}


@pytest.mark.parametrize("tamper", TAMPERED.values(), ids=TAMPERED.keys())
@pytest.mark.parametrize("link", LINK_REQUESTS.values(), ids=LINK_REQUESTS.keys())
def test_a_tampered_or_expired_link_to_a_real_registration_is_a_clear_400(client, tamper, link):
    method, template, salt, max_age = link
    registration = RegistrationFactory(participant=ParticipantFactory(first_name="Austra"))
    before = Registration.objects.values().get()
    token = tamper(registration, salt, max_age)
    # The control: the same link, untampered, opens the registration.
    genuine = template.format(links.make_token(registration, salt=salt))
    assert client.get(genuine).status_code == 200

    response = getattr(client, method)(template.format(token))

    assert response.status_code == 400
    assert "Austra" not in response.content.decode()
    assert registration.participant.email not in response.content.decode()
    assert Registration.objects.values().get() == before
    assert mail.outbox == []


@pytest.mark.parametrize("token", BAD_TOKENS)
def test_malformed_token_for_the_calendar_is_a_clear_400(client, token):
    RegistrationFactory(confirmed=True)

    assert client.get(f"/lv/manage/{token}/calendar.ics").status_code == 400


def test_a_token_signed_with_another_key_or_for_another_purpose_reveals_nothing(client):
    registration = RegistrationFactory(confirmed=True)
    confirmation_token = links.make_token(registration, salt=links.CONFIRMATION_SALT)
    foreign = _signed_by_someone_else({"r": registration.pk})
    non_integer = signing.TimestampSigner(salt=links.MANAGE_SALT).sign_object({"r": "1"})
    huge = signing.TimestampSigner(salt=links.MANAGE_SALT).sign_object({"r": 10**30})

    for token in (confirmation_token, foreign, non_integer, huge):
        response = client.get(f"/lv/manage/{token}/")
        assert response.status_code == 400
        assert registration.participant.email not in response.content.decode()


@pytest.mark.parametrize(
    "path_of",
    [
        lambda r: f"/lv/stages/{r.stage_id}/",
        confirm_path,
        manage_path,
        lambda r: manage_path(r) + "cancel/",
        lambda r: manage_path(r) + "calendar.ics",
        lambda r: "/healthz",
    ],
    ids=["stage", "confirm", "manage", "cancel", "calendar", "healthz"],
)
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_are_405_and_change_nothing(client, path_of, method):
    registration = RegistrationFactory()

    response = getattr(client, method)(path_of(registration))

    assert response.status_code == 405
    registration.refresh_from_db()
    assert registration.status == Status.AWAITING_CONFIRMATION


def test_the_calendar_answers_get_only(client):
    registration = RegistrationFactory(confirmed=True)

    assert client.get(manage_path(registration) + "calendar.ics").status_code == 200
    assert client.post(manage_path(registration) + "calendar.ics").status_code == 405


def test_get_never_confirms_or_cancels(client):
    unconfirmed = RegistrationFactory()
    confirmed = RegistrationFactory(confirmed=True)

    assert client.get(confirm_path(unconfirmed)).status_code == 200
    assert client.get(manage_path(confirmed) + "cancel/").status_code == 200

    unconfirmed.refresh_from_db()
    confirmed.refresh_from_db()
    assert unconfirmed.status == Status.AWAITING_CONFIRMATION
    assert confirmed.status == Status.CONFIRMED


@pytest.mark.parametrize("path", ["/xx/", "/de/stages/1/", "/LV/", "/lv-lv/", "/%00/"])
def test_unknown_language_prefix_is_404(client, path):
    StageFactory()

    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "https:evil.example",
        "javascript:alert(1)",
    ],
)
def test_language_switch_never_redirects_off_site(client, next_url):
    response = client.post("/i18n/setlang/", {"language": "en", "next": next_url})

    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    assert not response["Location"].startswith("javascript")


@pytest.mark.parametrize("language", ["xx", "", NUL, "en" * 100])
def test_language_switch_with_an_unknown_language_changes_nothing(client, language):
    response = client.post("/i18n/setlang/", {"language": language, "next": "/lv/"})

    assert response.status_code == 302
    assert response["Location"] == "/lv/"


# --- the registration form --------------------------------------------------------------------

TEXT_FIELDS = ["first_name", "last_name", "email", "institution", "phone"]
CHOICE_FIELDS = ["role", "municipality", "sex", "language"]


def assert_refused_next_to(response, field):
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert f'id="error_1_id_{field}"' in response.content.decode() or (
        f'id="error_1_id_{field}_1"' in response.content.decode()
    )
    assert not Participant.objects.exists()
    assert not Registration.objects.exists()


@pytest.mark.parametrize("field", TEXT_FIELDS)
@pytest.mark.parametrize("value", [NUL, f"a{NUL}b", "x" * 300, "ā" * 5000], ids=repr)
def test_nul_bytes_and_overlong_text_are_refused_next_to_the_field(client, field, value):
    stage = StageFactory()

    response = client.post(f"/lv/stages/{stage.pk}/", form_data(**{field: value}))

    assert_refused_next_to(response, field)


@pytest.mark.parametrize("field", [*TEXT_FIELDS, *CHOICE_FIELDS])
def test_a_missing_field_is_refused_next_to_it(client, field):
    stage = StageFactory()
    data = form_data(**{field: None})
    if field in ("phone", "sex"):  # optional: the registration goes through
        assert client.post(f"/lv/stages/{stage.pk}/", data).status_code == 302
        return

    response = client.post(f"/lv/stages/{stage.pk}/", data)

    assert_refused_next_to(response, field)


@pytest.mark.parametrize("field", CHOICE_FIELDS)
@pytest.mark.parametrize("value", ["nope", NUL, "x" * 1000, ["other", "nope"]], ids=repr)
def test_invalid_choices_are_refused_next_to_the_field(client, field, value):
    """A field sent twice counts with its last value (Django's rule), here an invalid one."""
    stage = StageFactory()

    response = client.post(f"/lv/stages/{stage.pk}/", form_data(**{field: value}))

    assert_refused_next_to(response, field)


@pytest.mark.parametrize("subjects", [["nope"], [NUL], ["chemistry", "x" * 1000]], ids=repr)
def test_invalid_subjects_are_refused_next_to_the_field(client, subjects):
    stage = StageFactory()

    response = client.post(f"/lv/stages/{stage.pk}/", form_data(subjects=subjects))

    assert response.status_code == 200
    assert "subjects" in response.context["form"].errors
    assert not Registration.objects.exists()


def test_repeated_subjects_are_stored_once(client):
    stage = StageFactory()

    client.post(f"/lv/stages/{stage.pk}/", form_data(subjects=["physics", "chemistry", "physics"]))

    assert Participant.objects.get().subjects == ["chemistry", "physics"]


@pytest.mark.parametrize("email", ["liga@", "@example.lv", "liga example.lv", "ā" * 64 + "@x"])
def test_invalid_email_is_refused_next_to_the_field(client, email):
    stage = StageFactory()

    response = client.post(f"/lv/stages/{stage.pk}/", form_data(email=email))

    assert_refused_next_to(response, "email")


@pytest.mark.parametrize("website", [NUL, "x" * 100_000, "http://spam.example", ["a", "b"]])
def test_a_filled_honeypot_stores_nothing_and_never_fails(client, website):
    stage = StageFactory()

    response = client.post(f"/lv/stages/{stage.pk}/", form_data(website=website))

    assert response.status_code == 302
    assert not Participant.objects.exists()
    assert mail.outbox == []


def test_invalid_utf8_in_the_body_is_refused_not_a_500(client):
    stage = StageFactory()
    body = "first_name=%ED%A0%80&last_name=%FF%FE&email=liga%40example.lv&consent=on"

    response = client.post(
        f"/lv/stages/{stage.pk}/", body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert not Registration.objects.exists()


def test_posting_without_csrf_token_is_refused_and_stores_nothing():
    stage = StageFactory()
    strict = Client(enforce_csrf_checks=True)

    response = strict.post(f"/lv/stages/{stage.pk}/", form_data())

    assert response.status_code == 403
    assert not Registration.objects.exists()


def test_the_form_carries_a_csrf_token(client):
    stage = StageFactory()

    page = client.get(f"/lv/stages/{stage.pk}/").content.decode()

    assert 'name="csrfmiddlewaretoken"' in page


def test_a_double_submission_keeps_one_registration(client, django_capture_on_commit_callbacks):
    stage = StageFactory()

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"/lv/stages/{stage.pk}/", form_data())
        second = client.post(f"/lv/stages/{stage.pk}/", form_data(email="LIGA@example.lv "))

    assert first.status_code == second.status_code == 302
    assert Registration.objects.count() == 1
    assert len(mail.outbox) == 2  # the confirmation link, sent again


# --- the manage page --------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["first_name", "last_name", "institution", "phone"])
@pytest.mark.parametrize("value", [NUL, "x" * 300, ""], ids=repr)
def test_bad_details_on_the_manage_page_change_nothing(client, field, value):
    registration = RegistrationFactory(confirmed=True)
    before = Participant.objects.values().get()
    if field == "phone" and value == "":
        value = "not a phone"

    response = client.post(manage_path(registration), form_data(**{field: value}))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Participant.objects.values().get() == before


def test_the_manage_page_ignores_an_email_change(client):
    registration = RegistrationFactory(confirmed=True)
    email = registration.participant.email

    client.post(manage_path(registration), form_data(email="other@example.lv"))

    assert Participant.objects.get().email == email


def test_cancelling_twice_is_harmless(client, django_capture_on_commit_callbacks):
    registration = RegistrationFactory(confirmed=True)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(manage_path(registration) + "cancel/")
        response = client.post(manage_path(registration) + "cancel/")

    assert response.status_code == 200
    registration.refresh_from_db()
    assert registration.status == Status.CANCELLED
    assert len(mail.outbox) == 1


# --- escaping of what people type -------------------------------------------------------------

HOSTILE_NAME = '<script>alert("x")</script>'


# What the name rules (participants/validators.py) let through that HTML must still escape.
SPECIAL_NAME = "D'Artanjans"


def test_a_hostile_name_is_refused_by_the_form(client, mailoutbox):
    stage = StageFactory()

    response = client.post(f"/lv/stages/{stage.pk}/", form_data(first_name=HOSTILE_NAME))

    assert response.status_code == 200
    assert Registration.objects.count() == 0
    assert mailoutbox == []


def test_a_special_name_is_escaped_on_the_manage_page_and_in_the_html_mail(
    client, django_capture_on_commit_callbacks
):
    stage = StageFactory()
    SessionFactory(stage=stage)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/lv/stages/{stage.pk}/", form_data(first_name=SPECIAL_NAME))
    registration = Registration.objects.get()
    page = client.get(manage_path(registration)).content.decode()
    html_mail = mail.outbox[0].alternatives[0][0]

    for html in (page, html_mail):
        assert SPECIAL_NAME not in html
        assert escape(SPECIAL_NAME) in html
    assert SPECIAL_NAME in mail.outbox[0].body  # plain text: shown as typed, not as &#x27;


@pytest.fixture
def superuser_client():
    user = User.objects.create_superuser("boss", "boss@example.lv", "Daugavpils-2021-boss")
    client = Client(raise_request_exception=True)
    client.force_login(user)
    return client


def test_a_hostile_name_is_escaped_in_the_admin(superuser_client):
    RegistrationFactory(participant=ParticipantFactory(first_name=HOSTILE_NAME))

    for path in ("/admin/participants/registration/", "/admin/participants/participant/"):
        page = superuser_client.get(path).content.decode()
        assert HOSTILE_NAME not in page
        assert escape(HOSTILE_NAME) in page


# --- admin: forms and actions with bad input ------------------------------------------------

ACTIONS = [
    "confirm_registrations",
    "cancel_registrations",
    "move_to_waiting_list",
    "resend_email",
    "export_csv",
]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("selected", [["abc"], [NUL], ["1", "x"], ["1.5"]], ids=repr)
def test_registration_actions_with_tampered_selection_change_nothing(
    superuser_client, action, selected
):
    registration = RegistrationFactory()
    selected = [str(registration.pk) if value == "1" else value for value in selected]

    response = superuser_client.post(
        "/admin/participants/registration/",
        {"action": action, "_selected_action": selected, "apply": "1", "reason": ""},
        follow=True,
    )

    assert response.status_code == 200
    assert "The selection was not valid" in response.content.decode() or (
        "Atlase nebija derīga" in response.content.decode()
    )
    registration.refresh_from_db()
    assert registration.status == Status.AWAITING_CONFIRMATION
    assert mail.outbox == []


def _rows_each_action_would_change():
    """What the actions below would change if they ran: (sessions, reminders, participants)."""
    return (Session.objects.count(), ReminderDelivery.objects.count(), Participant.objects.count())


@pytest.mark.parametrize(
    ("path", "action", "row_of"),
    [
        ("/admin/participants/sessionreminders/", "send_reminder_now", lambda r: r.stage.sessions),
        ("/admin/courses/session/", "copy_one_week_later", lambda r: r.stage.sessions),
        (
            "/admin/participants/participant/",
            "delete_selected",
            lambda r: Participant.objects.filter(pk=ParticipantFactory().pk),
        ),
    ],
    ids=["send_reminder_now", "copy_one_week_later", "delete_selected"],
)
@pytest.mark.parametrize("tampered", [["abc"], ["REAL", "abc"], ["REAL", HUGE_ID]], ids=repr)
def test_other_admin_actions_with_tampered_selection_change_nothing(
    superuser_client, path, action, row_of, tampered
):
    """A selection holding a real row and a tampered value is refused as a whole: the action
    does not run on the real row (a reminder, a copy, a deletion would show in the counts)."""
    registration = RegistrationFactory(confirmed=True)
    SessionFactory(stage=registration.stage)
    real = row_of(registration).get()
    selected = [str(real.pk) if value == "REAL" else value for value in tampered]
    before = _rows_each_action_would_change()

    response = superuser_client.post(
        path, {"action": action, "_selected_action": selected, "post": "yes"}, follow=True
    )

    assert response.status_code == 200
    assert "Atlase nebija derīga" in response.content.decode()
    assert _rows_each_action_would_change() == before
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("path", "action", "row_of", "changed"),
    [
        (
            "/admin/participants/sessionreminders/",
            "send_reminder_now",
            lambda r: r.stage.sessions,
            (1, 1, 1),
        ),
        ("/admin/courses/session/", "copy_one_week_later", lambda r: r.stage.sessions, (2, 0, 1)),
        (
            "/admin/participants/participant/",
            "delete_selected",
            lambda r: Participant.objects.filter(pk=ParticipantFactory().pk),
            (1, 0, 1),
        ),
    ],
    ids=["send_reminder_now", "copy_one_week_later", "delete_selected"],
)
def test_the_admin_actions_used_above_do_change_their_rows_when_the_selection_is_valid(
    superuser_client, path, action, row_of, changed, django_capture_on_commit_callbacks
):
    """The control for the refusals above: the same POST with only the real row acts."""
    registration = RegistrationFactory(confirmed=True)
    SessionFactory(stage=registration.stage)
    real = row_of(registration).get()

    with django_capture_on_commit_callbacks(execute=True):
        superuser_client.post(
            path, {"action": action, "_selected_action": [str(real.pk)], "post": "yes"}
        )

    assert _rows_each_action_would_change() == changed


@pytest.mark.parametrize("selected", [[HUGE_ID], ["-1"], []])
def test_registration_action_with_unknown_or_no_rows_changes_nothing(superuser_client, selected):
    registration = RegistrationFactory()

    response = superuser_client.post(
        "/admin/participants/registration/",
        {"action": "confirm_registrations", "_selected_action": selected},
        follow=True,
    )

    assert response.status_code == 200
    registration.refresh_from_db()
    assert registration.status == Status.AWAITING_CONFIRMATION


def session_form(session_stage, **overrides):
    data = {
        "stage": session_stage.pk,
        "starts_at_0": "15.03.2027",
        "starts_at_1": "10:00",
        "ends_at_0": "15.03.2027",
        "ends_at_1": "13:00",
        "academic_hours": "",
        "mode": "online",
        "zoom_url": "https://zoom.us/j/1",
        "venue": "Vienības iela 30, Daugavpils",
        "topic_lv": "Ievads",
        "topic_en": "",
        "trainer": "Dr. Anna Bērziņa",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


@pytest.mark.parametrize(
    "overrides",
    [
        {"starts_at_0": None, "starts_at_1": None},
        {"ends_at_0": None, "ends_at_1": None},
        {"starts_at_0": "", "ends_at_0": ""},
        {"starts_at_0": "31.02.2027"},
        {"starts_at_1": "25:99"},
        {"academic_hours": "NaN"},
        {"academic_hours": "Infinity"},
        {"academic_hours": "9" * 40},
        {"stage": HUGE_ID},
        {"stage": "abc"},
        {"mode": "zzz"},
        {"zoom_url": "javascript:alert(1)"},
        {"topic_lv": NUL},
        {"trainer": "x" * 1000},
    ],
    ids=repr,
)
def test_session_admin_refuses_bad_input_with_a_message(superuser_client, overrides):
    stage = StageFactory()

    response = superuser_client.post(
        "/admin/courses/session/add/", session_form(stage, **overrides)
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Session.objects.exists()


@pytest.mark.parametrize(
    ("query", "rows"),
    [
        (f"stage__id__exact={HUGE_ID}", 0),  # no such stage: nobody
        ("status=zzz", 0),  # no such status: nobody
        ("o=999", 2),  # an unknown column to sort by is ignored
        ("q=%00", 2),
    ],
)
def test_csv_export_with_hand_edited_filters_exports_what_they_select(
    superuser_client, query, rows
):
    # Two stages, as in real use: with one, Django's admin offers no stage filter at all.
    RegistrationFactory()
    RegistrationFactory()

    response = superuser_client.get(f"/admin/participants/registration/export.csv?{query}")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + rows  # the header and the rows


@pytest.mark.parametrize("query", ["stage__id__exact=abc", "no_such_field=1"])
def test_csv_export_with_a_filter_it_cannot_read_goes_back_to_the_list(superuser_client, query):
    RegistrationFactory()
    RegistrationFactory()

    response = superuser_client.get(f"/admin/participants/registration/export.csv?{query}")

    assert response.status_code == 302
    assert response["Location"] == "/admin/participants/registration/"


# --- permissions: nothing non-public without the right permission ----------------------------

STAFF_ONLY = [
    ("get", "/admin/participants/registration/export.csv"),
    ("get", "/admin/participants/registration/"),
    ("get", "/admin/participants/sessionreminders/"),
    ("get", "/admin/participants/reminderdelivery/"),
    ("get", "/admin/courses/reminderrule/"),
]


@pytest.mark.parametrize(("method", "path"), STAFF_ONLY)
def test_anonymous_visitors_are_sent_to_the_login(client, method, path):
    RegistrationFactory()

    response = getattr(client, method)(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize(("method", "path"), STAFF_ONLY)
def test_staff_without_permissions_are_refused(client, method, path):
    RegistrationFactory()
    user = User.objects.create_user("intern", password="Daugavpils-2021-x", is_staff=True)
    client.force_login(user)

    assert getattr(client, method)(path).status_code == 403


def test_programme_staff_can_export_and_act_but_not_delete(client):
    registration = RegistrationFactory()
    user = User.objects.create_user("staff", password="Daugavpils-2021-x", is_staff=True)
    user.groups.add(Group.objects.get(name=PROGRAMME_STAFF))
    client.force_login(user)

    assert client.get("/admin/participants/registration/export.csv").status_code == 200
    response = client.post(
        "/admin/participants/registration/",
        {"action": "delete_selected", "_selected_action": [registration.pk], "post": "yes"},
    )

    # Not offered to them, so Django's admin takes it for "no action" and shows the list again.
    assert response.status_code == 302
    assert response["Location"] == "/admin/participants/registration/"
    assert Registration.objects.filter(pk=registration.pk).exists()
    assert "delete_selected" not in client.get("/admin/participants/registration/").content.decode()


# --- management commands ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("seed_programme", ["--bogus"]),
        ("seed_programme", ["extra"]),
        ("send_due_reminders", ["--bogus"]),
        ("send_due_reminders", ["extra"]),
        ("ensure_admin", ["extra"]),
    ],
)
def test_commands_refuse_unknown_arguments_with_command_error(command, args):
    with pytest.raises(CommandError):
        call_command(command, *args, stdout=StringIO(), stderr=StringIO())


@pytest.mark.parametrize(
    "username", ["a b", "x" * 151, "admin\x01", "<script>", "admin;drop"], ids=repr
)
def test_ensure_admin_refuses_an_unusable_username(monkeypatch, username):
    monkeypatch.setenv("ADMIN_USERNAME", username)
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)

    with pytest.raises(CommandError, match="ADMIN_USERNAME"):
        call_command("ensure_admin", stdout=StringIO())

    assert not User.objects.exists()


@pytest.mark.parametrize("password", ["admin", "12345678", "password1"])
def test_ensure_admin_refuses_a_weak_password_without_printing_it(monkeypatch, password):
    monkeypatch.setenv("ADMIN_USERNAME", "admin")
    monkeypatch.setenv("ADMIN_PASSWORD", password)

    with pytest.raises(CommandError, match="ADMIN_PASSWORD") as refusal:
        call_command("ensure_admin", stdout=StringIO())

    assert password not in str(refusal.value)
    assert not User.objects.exists()


def stage_form(programme, **overrides):
    """The stage admin's form with two sessions in its inline."""
    data = {
        "programme": programme.pk,
        "order": "5",
        "title_lv": "Piektais posms",
        "planned_academic_hours": "60",
        "capacity": "20",
        "completion_threshold_percent": "80",
        "sessions-TOTAL_FORMS": "2",
        "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "1000",
    }
    for index in range(2):
        data |= {
            f"sessions-{index}-starts_at_0": "15.03.2027",
            f"sessions-{index}-starts_at_1": f"1{index}:00",
            f"sessions-{index}-ends_at_0": "15.03.2027",
            f"sessions-{index}-ends_at_1": f"1{index}:45",
            f"sessions-{index}-mode": "online",
            f"sessions-{index}-topic_lv": "Ievads",
            f"sessions-{index}-trainer": "Dr. Anna Bērziņa",
        }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def test_the_stage_form_used_below_is_accepted_as_it_is(superuser_client):
    """The control for the refusals below: without the bad value the stage is saved."""
    superuser_client.post("/admin/courses/stage/add/", stage_form(ProgrammeFactory()))

    assert Session.objects.filter(stage__order=5).count() == 2


def test_the_session_and_rule_forms_used_below_are_accepted_as_they_are(superuser_client):
    stage = StageFactory()
    data = {"programme": stage.programme_id, "label": "Stundu iepriekš", "active": "on"}
    data |= {"kind": "before", "local_time": "", "offset_minutes": "60"}

    superuser_client.post("/admin/courses/session/add/", session_form(stage))
    superuser_client.post("/admin/courses/reminderrule/add/", data)

    assert Session.objects.filter(stage=stage).count() == 1
    assert ReminderRule.objects.count() == 1


@pytest.mark.parametrize(
    "overrides",
    [
        {"sessions-0-starts_at_0": None, "sessions-0-starts_at_1": None},
        {"sessions-1-ends_at_0": ""},
        {"sessions-0-ends_at_1": "09:00"},
        {"sessions-1-starts_at_1": "10:30"},  # overlaps the first
        {"capacity": "-1"},
        {"capacity": "9" * 20},
        {"order": "0"},
        {"completion_threshold_percent": "101"},
        {"planned_academic_hours": "abc"},
        {"title_lv": NUL},
        {"sessions-TOTAL_FORMS": "abc"},
    ],
    ids=repr,
)
def test_stage_admin_with_bad_sessions_saves_nothing(superuser_client, overrides):
    programme = ProgrammeFactory()

    response = superuser_client.post(
        "/admin/courses/stage/add/", stage_form(programme, **overrides)
    )

    assert response.status_code == 200
    assert not Stage.objects.filter(order=5).exists()
    assert not Session.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"kind": "zzz"},
        {"kind": "day_before", "local_time": ""},
        {"kind": "day_before", "local_time": "25:00"},
        {"offset_minutes": "-5"},
        {"offset_minutes": "9" * 20},
        {"offset_minutes": ""},
        {"label": NUL},
    ],
    ids=repr,
)
def test_reminder_rule_admin_refuses_bad_input(superuser_client, overrides):
    programme = ProgrammeFactory()
    data = {"programme": programme.pk, "label": "Stundu iepriekš", "active": "on"}
    data |= {"kind": "before", "local_time": "", "offset_minutes": "60"} | overrides

    response = superuser_client.post("/admin/courses/reminderrule/add/", data)

    assert response.status_code == 200
    assert not ReminderRule.objects.exists()
