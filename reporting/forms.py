"""The reports area's form: a reporting period, checked against the programme's dates."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from reporting.report.files import FORMATS
from reporting.report.period import period_resolve


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.period = None
        for name in ("start", "end"):
            self.fields[name].input_formats = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%Y."]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            try:
                self.period = period_resolve(programme=self.programme, start=start, end=end)
            except ValidationError as error:
                field = "end" if error.code == "end_before_start" else None
                self.add_error(field, error)
        return data


class DownloadForm(PeriodForm):
    format = forms.ChoiceField(label=_("Format"), choices=[(key, key.upper()) for key in FORMATS])
