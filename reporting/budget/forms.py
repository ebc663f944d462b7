"""The admin's forms for funding sources and expenditure: friendly messages before the
database's constraints refuse the same input."""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from reporting.budget import services
from reporting.budget.models import Expenditure, FundingSource


class FundingSourceForm(forms.ModelForm):
    class Meta:
        model = FundingSource
        fields = [
            "budget",
            "parent",
            "name_lv",
            "name_en",
            "kind",
            "share",
            "required_minimum_share",
            "order",
        ]

    def clean(self):
        data = super().clean()
        budget, share = data.get("budget"), data.get("share")
        if budget is not None and share is not None and "parent" not in self.errors:
            try:
                services.funding_source_check(
                    budget=budget, parent=data.get("parent"), share=share, source=self.instance
                )
            except ValidationError as error:
                self.add_error(None, error)
        if data.get("required_minimum_share") is not None and data.get("kind") == (
            FundingSource.Kind.GRANT
        ):
            self.add_error(
                "required_minimum_share", _("Only co-financing has a required minimum share.")
            )
        return data


class _ScanLink:
    """The stored scan as the file widget shows it: its name, linked to the admin download."""

    def __init__(self, name, url):
        self.name, self.url = name, url

    def __str__(self):
        return self.name.rsplit("/", 1)[-1]


class ScanInput(forms.ClearableFileInput):
    """Scans are not public media: the link goes to a download that checks permissions."""

    download_url = None

    def format_value(self, value):
        value = super().format_value(value)
        if value and self.download_url:
            return _ScanLink(value.name, self.download_url)
        return None


class ExpenditureForm(forms.ModelForm):
    class Meta:
        model = Expenditure
        fields = [
            "heading",
            "date",
            "amount",
            "supplier",
            "document_number",
            "eligible",
            "note",
            "scan",
        ]
        widgets = {"scan": ScanInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "scan" in self.fields:
            self.fields["scan"].widget.download_url = reverse(
                "admin:reporting_expenditure_scan", args=[self.instance.pk]
            )

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        try:
            services.expenditure_amount_check(
                amount=amount, heading=self.cleaned_data.get("heading")
            )
        except ValidationError as error:
            raise ValidationError(error.message_dict["amount"]) from error
        return amount
