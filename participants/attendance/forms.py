"""The attendance register's sheet: one row per confirmed participant of the session's stage."""

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from participants.attendance.models import Attendance

NOT_MARKED = ("", _("— not marked —"))


class RegisterEntryForm(forms.Form):
    participant = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("attendance"), choices=[NOT_MARKED, *Attendance.Status.choices], required=False
    )
    minutes_present = forms.IntegerField(
        label=_("minutes present"),
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={"class": "vIntegerField"}),
    )

    def __init__(self, *args, full_minutes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["minutes_present"].max_value = full_minutes
        self.fields["minutes_present"].widget.attrs["max"] = full_minutes
        self.fields["minutes_present"].validators.append(MaxValueValidator(full_minutes))


class BaseRegisterFormSet(forms.BaseFormSet):
    def __init__(self, *args, allowed_ids, **kwargs):
        self.allowed_ids = allowed_ids
        super().__init__(*args, **kwargs)

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            participant = form.cleaned_data.get("participant")
            if participant not in self.allowed_ids or participant in seen:
                raise forms.ValidationError(
                    _("The sheet is out of date: reload the page and enter the marks again.")
                )
            seen.add(participant)


RegisterFormSet = forms.formset_factory(
    RegisterEntryForm, formset=BaseRegisterFormSet, extra=0, max_num=2000, absolute_max=2000
)
