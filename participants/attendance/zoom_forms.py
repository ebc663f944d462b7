"""The admin's forms for importing Zoom's participant report: the upload, and staff's matches."""

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from courses.models import Session
from participants.attendance import zoom
from participants.attendance.zoom_import import attendee_field_name

IGNORE = "ignore"


class ZoomUploadForm(forms.Form):
    session = forms.ModelChoiceField(
        label=_("Session"),
        queryset=Session.objects.select_related("stage").order_by("-starts_at"),
    )
    report = forms.FileField(
        label=_("Zoom participant report (CSV)"),
        help_text=lazy(
            lambda: (
                _(
                    "In Zoom: Reports → Usage → the meeting's participants → Export (CSV). "
                    "Up to %(size)d MB."
                )
                % {"size": zoom.MAX_REPORT_BYTES // (1024 * 1024)}
            ),
            str,
        )(),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone of the times in the file"),
        choices=zoom.time_zone_choices,
        initial=zoom.DEFAULT_TIME_ZONE,
        help_text=_("The time zone of the Zoom account that exported the report."),
    )

    def clean_report(self):
        report = self.cleaned_data["report"]
        if report.size > zoom.MAX_REPORT_BYTES:
            raise zoom.too_big_error(zoom.MAX_REPORT_BYTES)
        return report


class ZoomMatchForm(forms.Form):
    """One choice per row nobody matched: a confirmed participant of the stage, or "ignore";
    and whether to remember the match for later imports."""

    def __init__(self, *args, unmatched, participants, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(IGNORE, _("— ignore (not a participant) —"))] + [
            (str(person.pk), f"{person.full_name} <{person.email}>") for person in participants
        ]
        self.rows = []
        for attendee in unmatched:
            name = attendee_field_name(attendee)
            self.fields[name] = forms.ChoiceField(
                label=attendee.label, choices=choices, initial=IGNORE, required=False
            )
            self.fields[f"{name}_remember"] = forms.BooleanField(
                label=_("remember this name for later imports"), required=False, initial=True
            )
            self.rows.append((attendee, self[name], self[f"{name}_remember"]))

    def matches(self):
        """(manual_matches, remember) for ``zoom_import_save``."""
        manual, remember = {}, set()
        for attendee, field, _remember in self.rows:
            value = self.cleaned_data[field.name]
            ignored = value in (IGNORE, "")
            manual[attendee.key] = None if ignored else int(value)
            if not ignored and self.cleaned_data[f"{field.name}_remember"]:
                remember.add(attendee.key)
        return manual, remember
