import unicodedata

import pytest
from django.utils import translation

from participants.forms import ManageDetailsForm, RegistrationForm
from participants.models import Participant
from participants.municipalities import MUNICIPALITY_NAMES, NOVADI, STATE_CITIES


def data(**overrides):
    values = {
        "first_name": "Līga",
        "last_name": "Ērgle",
        "email": "liga@example.lv",
        "role": "teacher",
        "subjects": ["physics", "chemistry"],
        "institution": "Daugavpils 9. vidusskola",
        "municipality": "daugavpils",
        "phone": "",
        "sex": "",
        "language": "lv",
        "consent": "on",
    }
    values.update(overrides)
    return values


def test_input_is_trimmed_composed_and_the_email_lower_cased():
    form = RegistrationForm(
        data=data(
            first_name=unicodedata.normalize("NFD", "  Līga  "),
            last_name=unicodedata.normalize("NFD", "Ērgle-Šķēle"),
            institution="  Daugavpils   Universitātes   ģimnāzija ",
            email="  LIGA@Example.LV ",
        )
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["first_name"] == "Līga"
    assert form.cleaned_data["last_name"] == "Ērgle-Šķēle"
    assert unicodedata.is_normalized("NFC", form.cleaned_data["last_name"])
    assert form.cleaned_data["institution"] == "Daugavpils Universitātes ģimnāzija"
    assert form.cleaned_data["email"] == "liga@example.lv"


def test_a_name_of_only_spaces_is_missing():
    form = RegistrationForm(data=data(first_name="   "))

    assert not form.is_valid()
    assert "first_name" in form.errors


def test_subjects_are_stored_as_known_codes_in_a_fixed_order():
    form = RegistrationForm(data=data(subjects=["physics", "chemistry", "physics"]))

    assert form.is_valid(), form.errors
    assert form.cleaned_data["subjects"] == ["chemistry", "physics"]


def test_an_unknown_subject_is_refused():
    form = RegistrationForm(data=data(subjects=["astrology"]))

    assert not form.is_valid()
    assert "subjects" in form.errors


def test_the_ten_subjects_are_offered():
    codes = [code for code, _label in Participant.Subject.choices]

    assert codes == [
        "natural_sciences",
        "chemistry",
        "physics",
        "biology",
        "mathematics",
        "economics",
        "computer_science",
        "engineering_technology",
        "entrepreneurship",
        "other",
    ]


def test_the_municipalities_are_latvias_43_plus_other():
    form = RegistrationForm()
    offered = [
        code
        for group, options in form.fields["municipality"].choices
        for code in ([c for c, _l in options] if isinstance(options, list | tuple) else [group])
    ]

    assert len(STATE_CITIES) == 7
    assert len(NOVADI) == 36
    assert len(MUNICIPALITY_NAMES) == 43
    assert "Augšdaugavas novads" in MUNICIPALITY_NAMES.values()
    assert "Ķekavas novads" in MUNICIPALITY_NAMES.values()
    assert set(offered) == {"", *MUNICIPALITY_NAMES, "other"}


def test_an_unknown_municipality_is_refused():
    form = RegistrationForm(data=data(municipality="atlantis"))

    assert not form.is_valid()
    assert "municipality" in form.errors


@pytest.mark.parametrize("phone", ["+371 20000000", "20000000", "+371 (65) 400-000"])
def test_ordinary_phone_numbers_are_accepted(phone):
    assert RegistrationForm(data=data(phone=phone)).is_valid()


@pytest.mark.parametrize("phone", ["call me", "12", "+371 2000 000x"])
def test_nonsense_phone_numbers_are_refused(phone):
    form = RegistrationForm(data=data(phone=phone))

    assert not form.is_valid()
    assert "phone" in form.errors


def test_sex_is_optional_and_offers_prefer_not_to_say():
    assert RegistrationForm(data=data(sex="")).is_valid()
    assert RegistrationForm(data=data(sex="not_said")).is_valid()


def test_consent_is_required_with_a_latvian_message():
    with translation.override("lv"):
        form = RegistrationForm(data=data(consent=""))

        assert not form.is_valid()
        assert form.errors["consent"] == [
            "Lai reģistrētos, lūdzu, piekrītiet privātuma paziņojumam."
        ]


def test_the_consent_label_links_the_privacy_notice():
    with translation.override("en"):
        label = str(RegistrationForm().fields["consent"].label)

    assert '<a href="/en/privacy/"' in label


def test_the_honeypot_is_out_of_reach_for_people():
    form = RegistrationForm()
    widget = form.fields["website"].widget

    assert widget.attrs["tabindex"] == "-1"
    assert widget.attrs["autocomplete"] == "off"
    assert RegistrationForm(data=data(website="x")).is_bot()
    assert not RegistrationForm(data=data()).is_bot()


def test_the_honeypot_is_not_part_of_the_participant_data():
    form = RegistrationForm(data=data())

    assert form.is_valid()
    assert "website" not in form.participant_data()
    assert "consent" not in form.participant_data()


def test_the_manage_form_has_no_email_field():
    assert "email" not in ManageDetailsForm().fields
