"""Staff forms for sessions: the rules themselves live in `courses.services.session_check`."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils.translation import gettext_lazy as _

from courses.models import Session
from courses.services import session_check

TIME_FIELDS = ("starts_at", "ends_at")


class SessionAdminForm(forms.ModelForm):
    academic_hours = forms.DecimalField(
        label=_("academic hours"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=5,
        decimal_places=2,
        help_text=_(
            "Leave empty to count them from the duration (at the programme's minutes per "
            "academic hour, rounded down to 0.01)."
        ),
    )

    zoom_url = forms.URLField(
        label=_("Zoom join link"), required=False, max_length=500, assume_scheme="https"
    )

    class Meta:
        model = Session
        fields = (
            "stage",
            "starts_at",
            "ends_at",
            "academic_hours",
            "mode",
            "zoom_url",
            "venue",
            "topic_lv",
            "topic_en",
            "trainer",
        )

    def _stage(self):
        """The session's stage, if it is complete enough to check against (it has a programme).

        In the stage's inline the stage is the parent form's, possibly unsaved and invalid.
        """
        stage = self.cleaned_data.get("stage")
        try:
            stage = stage or self.instance.stage
            stage.programme  # noqa: B018 - raises when the stage has no programme yet
        except ObjectDoesNotExist:
            return None
        return stage

    def clean(self):
        cleaned = super().clean()
        stage = self._stage()
        if stage is None or any(name in self.errors for name in (*TIME_FIELDS, "academic_hours")):
            return cleaned
        if cleaned.get("starts_at") is None or cleaned.get("ends_at") is None:
            return cleaned
        try:
            cleaned["academic_hours"] = session_check(
                stage=stage,
                starts_at=cleaned["starts_at"],
                ends_at=cleaned["ends_at"],
                academic_hours=cleaned.get("academic_hours"),
                exclude_pk=self.instance.pk,
            )
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


class SessionInlineFormSet(forms.BaseInlineFormSet):
    """Sessions entered together in one stage must not overlap each other either."""

    def clean(self):
        super().clean()
        timed = sorted(
            (
                (form.cleaned_data["starts_at"], form.cleaned_data["ends_at"], form)
                for form in self._kept_forms()
            ),
            key=lambda timed_form: timed_form[:2],
        )
        for (_start, previous_end, _previous), (start, _end, form) in zip(
            timed, timed[1:], strict=False
        ):
            if start < previous_end:
                form.add_error(
                    "starts_at", _("This time overlaps another session entered in this stage.")
                )

    def _kept_forms(self):
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("DELETE") or not data.get("starts_at") or not data.get("ends_at"):
                continue
            yield form
