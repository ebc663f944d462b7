"""The public form to type a verification code."""

from django import forms
from django.utils.translation import gettext_lazy as _

from participants.certificates.codes import normalise_code


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=64,
        help_text=_(
            "16 letters and digits, as printed on the certificate, e.g. ABCD-EFGH-2345-6789."
        ),
        error_messages={"required": _("Type the verification code from the certificate.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                _(
                    "This is not a verification code: it has 16 letters (A–Z) and digits "
                    "(2–7). Check that you typed it as printed on the certificate."
                )
            )
        return code
