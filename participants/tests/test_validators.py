"""Names are names: what may be typed into the fields that reach mail, the admin and the CSV.

One rule set (participants/validators.py) used by the public form, the manage-details form, the
admin's participant form and the model fields."""

import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from courses.tests.factories import StageFactory
from participants import links
from participants.forms import ManageDetailsForm, RegistrationForm
from participants.models import Participant, Registration
from participants.tests.factories import ParticipantFactory, RegistrationFactory
from participants.validators import (
    email_ascii,
    validate_email_domain,
    validate_institution_name,
    validate_person_name,
)

RLO = "\u202e"  # right-to-left override
ZWJ = "\u200d"  # zero-width joiner

HOSTILE_NAMES = [
    "http://spam.example",
    "Visit www.spam",
    "Jānis spam.com",
    "Jānis пример.рф",
    "mailto:x",
    f"Jānis{RLO}moc.elpmaxe",
    f"Jā{ZWJ}nis",
    "Jā\u200bnis",  # zero-width space
    "Jānis\u2066x\u2069",  # isolates
    "Jānis\u200f",  # right-to-left mark
    "\ufeffJānis",  # byte-order mark
    "Jā\x00nis",
    "Jā\x07nis",
    "Jānis\u3164",  # Hangul filler: looks like nothing
    "Jānis3",
    "Jānis <b>",
    "Jānis@skola",
    "---",
    "'.",
]
GOOD_NAMES = [
    "Jānis",
    "Ģirts",
    "Mary-Ann",
    "O'Neil",
    "Dʼ Artanjans",
    "Anna Marija",
    "J. R. R.",
    "Łukasz",
    "Юлия",
    "Ἀλέξανδρος",
    "李小龙",
    "विजय",
    "Zoë",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_names_are_refused(name):
    with pytest.raises(ValidationError):
        validate_person_name(name)


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_names_of_any_script_are_accepted(name):
    validate_person_name(name)


@pytest.mark.parametrize(
    "institution",
    [
        "Daugavpils 9. vidusskola",
        "Rīgas Valsts 1. ģimnāzija",
        'SIA "Mācību centrs" (filiāle), Nr.5',
        "Daugavpils Universitāte / DU",
        "Pirmsskolas izglītības iestāde „Saulīte”",
        "Школа № 3",
        "Daugavpils Valstspilsētas vidusskola",
    ],
)
def test_institution_names_may_have_digits_quotes_and_punctuation(institution):
    validate_institution_name(institution)


@pytest.mark.parametrize(
    "institution",
    [
        "skola.lv",
        "www.skola",
        "https://skola.example",
        "Skola HTTP://X",
        f"Skola{RLO}vl.aloks",
        f"Sko{ZWJ}la",
        "Skola\nX",
        "Skola <script>",
        "12345",
    ],
)
def test_institutions_with_addresses_or_hidden_characters_are_refused(institution):
    with pytest.raises(ValidationError):
        validate_institution_name(institution)


def test_the_messages_say_what_is_wrong():
    with translation.override("lv"):
        with pytest.raises(ValidationError) as url:
            validate_person_name("www.spam.example")
        with pytest.raises(ValidationError) as hidden:
            validate_person_name(f"Jānis{RLO}x")
    assert "tīmekļa adreses" in url.value.messages[0]
    assert "U+202E" in hidden.value.messages[0]
    assert "neredzamās vai vadības rakstzīmes" in hidden.value.messages[0]


# --- e-mail domains -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        "x@\u0430pple.com",  # Cyrillic а + Latin pple
        "x@paypa\u04cf.com",  # Cyrillic palochka
        "x@g\u03bfogle.lv",  # Greek omicron
        f"x@sko{ZWJ}la.lv",
        f"x@skola.lv{RLO}",
    ],
)
def test_a_domain_mixing_scripts_or_hiding_characters_is_refused(email):
    with pytest.raises(ValidationError):
        validate_email_domain(email)


@pytest.mark.parametrize(
    "email", ["x@skola.lv", "x@ģimnāzija.lv", "x@пример.рф", "x@例え.jp", "x@daugavpils-9.lv"]
)
def test_a_domain_in_one_script_is_accepted(email):
    validate_email_domain(email)


def test_email_in_ascii_shows_punycode():
    assert email_ascii("x@ģimnāzija.lv") == "x@xn--imnzija-u3a61a.lv"
    assert email_ascii("x@skola.lv") == "x@skola.lv"


# --- every form that takes these fields ----------------------------------------------------------


def registration_data(**overrides):
    data = {
        "first_name": "Līga",
        "last_name": "Ērgle",
        "email": "liga@skola.lv",
        "role": "teacher",
        "subjects": ["chemistry"],
        "institution": "Daugavpils 9. vidusskola",
        "municipality": "daugavpils",
        "phone": "+371 20000000",
        "sex": "",
        "language": "lv",
        "consent": "on",
        "website": "",
    }
    return data | overrides


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("first_name", "www.spam.example"),
        ("last_name", f"Ērgle{RLO}gnik"),
        ("institution", "spam.example"),
        ("institution", f"Sko{ZWJ}la"),
        ("email", "liga@\u0430pple.com"),
        ("phone", "+371 2000000\u200b0"),
    ],
)
def test_the_registration_form_refuses_next_to_the_field(field, value):
    form = RegistrationForm(data=registration_data(**{field: value}))

    assert not form.is_valid()
    assert list(form.errors) == [field]


def test_the_registration_form_stores_nfc():
    decomposed = unicodedata.normalize("NFD", "Ģirts Šķēle")
    first, last = decomposed.split(" ")
    form = RegistrationForm(data=registration_data(first_name=first, last_name=last))

    assert form.is_valid(), form.errors
    assert (form.cleaned_data["first_name"], form.cleaned_data["last_name"]) == ("Ģirts", "Šķēle")


def test_the_manage_form_refuses_the_same(db):
    participant = ParticipantFactory()
    data = {
        "first_name": "http://spam.example",
        "last_name": f"Ērgle{RLO}",
        "role": "teacher",
        "institution": "Skola",
        "municipality": "daugavpils",
        "language": "lv",
    }

    form = ManageDetailsForm.for_participant(participant, data=data)

    assert not form.is_valid()
    assert set(form.errors) == {"first_name", "last_name"}


@pytest.mark.django_db
def test_a_name_holding_a_url_is_refused_on_the_page_and_nothing_is_saved(client, mailoutbox):
    stage = StageFactory()
    target = reverse("participants:stage_detail", kwargs={"stage_id": stage.pk})

    response = client.post(target, registration_data(first_name="Laimests www.spam.example"))

    assert response.status_code == 200
    assert "tīmekļa adreses" in response.content.decode()
    assert Registration.objects.count() == 0
    assert mailoutbox == []


@pytest.mark.django_db
def test_the_manage_page_does_not_store_an_override(client):
    registration = RegistrationFactory(confirmed=True)
    token = links.make_token(registration, salt=links.MANAGE_SALT)
    participant = registration.participant
    data = registration_data(last_name=f"Ērgle{RLO}gnik")

    response = client.post(reverse("participants:registration_manage", args=[token]), data)

    participant.refresh_from_db()
    assert response.status_code == 200
    assert RLO not in participant.last_name


@pytest.mark.django_db
def test_the_model_refuses_what_the_forms_refuse():
    participant = ParticipantFactory.build(first_name=f"Jānis{ZWJ}", institution="x.com")

    with pytest.raises(ValidationError) as refusal:
        participant.full_clean(validate_constraints=False)

    assert set(refusal.value.message_dict) == {"first_name", "institution"}


# --- the admin ------------------------------------------------------------------------------------


def admin_change_data(admin_client, participant, **changes):
    url = reverse("admin:participants_participant_change", args=[participant.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"registrations-TOTAL_FORMS": "0", "registrations-INITIAL_FORMS": "0"})
    return url, data | changes


@pytest.mark.django_db
def test_the_admin_refuses_a_url_or_override_in_a_name(admin_client):
    participant = ParticipantFactory(first_name="Rūta")
    url, data = admin_change_data(
        admin_client, participant, first_name="www.spam.example", last_name=f"X{RLO}"
    )

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == {"first_name", "last_name"}
    assert Participant.objects.get(pk=participant.pk).first_name == "Rūta"


@pytest.mark.django_db
def test_the_admin_stores_nfc(admin_client):
    participant = ParticipantFactory(first_name="Ruta")
    url, data = admin_change_data(
        admin_client, participant, first_name=unicodedata.normalize("NFD", " Rūta  ")
    )

    assert admin_client.post(url, data).status_code == 302
    assert Participant.objects.get(pk=participant.pk).first_name == "Rūta"


@pytest.mark.django_db
def test_the_admin_shows_international_domains_in_ascii(admin_client):
    participant = ParticipantFactory(email="ilze@ģimnāzija.lv")

    changelist = admin_client.get(reverse("admin:participants_participant_changelist"))
    change = admin_client.get(
        reverse("admin:participants_participant_change", args=[participant.pk])
    )

    assert "ilze@xn--imnzija-u3a61a.lv" in changelist.content.decode()
    assert "E-pasts (ASCII)" in changelist.content.decode()
    assert "ilze@xn--imnzija-u3a61a.lv" in change.content.decode()
