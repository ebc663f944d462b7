"""A progress report as it was submitted to the funder (Django finds it through
``reporting.models``): the report's figures frozen as JSON, never recomputed."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class SubmittedReport(models.Model):
    programme = models.ForeignKey(
        "courses.Programme",
        on_delete=models.PROTECT,
        related_name="submitted_reports",
        verbose_name=_("programme"),
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    snapshot = models.JSONField(_("figures as submitted"), editable=False)
    language = models.CharField(_("language"), max_length=8, editable=False)
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
        editable=False,
    )
    submitted_by_name = models.CharField(_("submitted by (name)"), max_length=300, editable=False)

    class Meta:
        verbose_name = _("submitted progress report")
        verbose_name_plural = _("submitted progress reports")
        ordering = ["-period_end", "-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "period_start", "period_end"],
                name="submitted_report_once_per_period",
                violation_error_message=_("The report for this period has been submitted already."),
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="submitted_report_period_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.period_start:%d.%m.%Y}–{self.period_end:%d.%m.%Y}"
