"""The registration form and the details form of the manage page.

Input is normalised before it is validated: surrounding white space trimmed, Unicode NFC (a
name typed with combining marks is stored with the precomposed Latvian letters), e-mail lower
case. What may be typed is decided in ``participants.validators`` (shared with the admin and
the model fields).
"""

import unicodedata

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Fieldset, Layout, Submit
from django import forms
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from participants.models import Participant
from participants.municipalities import MUNICIPALITY_CHOICES
from participants.services import EDITABLE_DETAILS
from participants.validators import (
    validate_email_domain,
    validate_institution_name,
    validate_person_name,
    validate_phone,
)

HONEYPOT_FIELD = "website"


def normalise_text(value):
    """Trim, collapse inner runs of white space and compose to Unicode NFC."""
    if value is None:
        return value
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


class NormalisingCharField(forms.CharField):
    def to_python(self, value):
        return normalise_text(super().to_python(value))


class NormalisingEmailField(forms.EmailField):
    def to_python(self, value):
        value = super().to_python(value)
        return unicodedata.normalize("NFC", value).strip().lower() if value else value


def _privacy_label():
    link_start = format_html(
        '<a href="{}" target="_blank" rel="noopener">', reverse("participants:privacy")
    )
    return format_html(
        gettext(
            "I agree that my data are processed as described in the "
            "{link_start}privacy notice{link_end} (opens in a new tab)."
        ),
        link_start=link_start,
        link_end=mark_safe("</a>"),  # noqa: S308 - a constant
    )


privacy_label = lazy(_privacy_label, SafeString)


class ParticipantDetailsForm(forms.Form):
    """The details a participant may change themselves (everything but the e-mail)."""

    first_name = NormalisingCharField(
        label=_("First name"), max_length=100, validators=[validate_person_name]
    )
    last_name = NormalisingCharField(
        label=_("Last name"), max_length=100, validators=[validate_person_name]
    )
    role = forms.ChoiceField(label=_("Role"), choices=Participant.Role.choices)
    subjects = forms.MultipleChoiceField(
        label=_("Subjects you teach"),
        choices=Participant.Subject.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Tick all that apply."),
    )
    institution = NormalisingCharField(
        label=_("Institution"),
        max_length=255,
        help_text=_("Your school or other place of work."),
        validators=[validate_institution_name],
    )
    municipality = forms.ChoiceField(
        label=_("Municipality"),
        choices=[("", _("– choose –")), *MUNICIPALITY_CHOICES],
        help_text=_("Where your institution is."),
    )
    phone = NormalisingCharField(
        label=_("Phone"), max_length=32, required=False, validators=[validate_phone]
    )
    sex = forms.ChoiceField(
        label=_("Sex"),
        choices=[("", _("– not given –")), *Participant.Sex.choices],
        required=False,
        help_text=_("Optional. Used only in anonymous totals the funder asks for."),
    )
    language = forms.ChoiceField(
        label=_("Language for e-mails"),
        choices=Participant.Language.choices,
        initial=Participant.Language.LATVIAN,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_subjects(self):
        chosen = self.cleaned_data["subjects"]
        # Keep the order of the choices, without duplicates, whatever the browser sent.
        return [code for code, _label in Participant.Subject.choices if code in chosen]


class RegistrationForm(ParticipantDetailsForm):
    email = NormalisingEmailField(
        label=_("E-mail"),
        max_length=254,
        help_text=_("We send a link to this address to confirm it."),
        validators=[validate_email_domain],
    )
    consent = forms.BooleanField(
        label=privacy_label(),
        error_messages={"required": _("Please agree to the privacy notice to register.")},
    )
    # A trap for bots: hidden from people and assistive technology, never filled by a person.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    field_order = [
        "first_name",
        "last_name",
        "email",
        "role",
        "subjects",
        "institution",
        "municipality",
        "phone",
        "sex",
        "language",
        "consent",
        "website",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Fieldset(
                _("About you"),
                "first_name",
                "last_name",
                Field("email", autocomplete="email"),
                "phone",
                "language",
            ),
            Fieldset(_("Your work"), "role", "subjects", "institution", "municipality", "sex"),
            "consent",
            Div(HONEYPOT_FIELD, css_class="visually-hidden", aria_hidden="true"),
            Submit("register", _("Register")),
        )
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["phone"].widget.attrs["autocomplete"] = "tel"
        self.fields["institution"].widget.attrs["autocomplete"] = "organization"

    def is_bot(self):
        """True when the honeypot was filled in (read from the raw data: no validation needed)."""
        return bool(str(self.data.get(HONEYPOT_FIELD, "")).strip())

    def participant_data(self):
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in ("consent", HONEYPOT_FIELD)
        }


class ManageDetailsForm(ParticipantDetailsForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            "first_name",
            "last_name",
            "phone",
            "language",
            "role",
            "subjects",
            "institution",
            "municipality",
            "sex",
            Submit("save", _("Save changes")),
        )

    @classmethod
    def for_participant(cls, participant, data=None):
        initial = {name: getattr(participant, name) for name in EDITABLE_DETAILS}
        return cls(data=data, initial=initial)
