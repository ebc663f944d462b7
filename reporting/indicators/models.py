"""The funder's indicators as data (Django finds the models through ``reporting.models``).

An indicator is either computed from the portal's data (its ``computation`` names an entry of
the fixed registry in ``reporting.indicators.computations``) or entered by staff per period
(``IndicatorValue``). Every change of either keeps its history (django-simple-history).
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from courses.models import localized
from reporting.indicators.computations import COMPUTATION_CHOICES


class Indicator(models.Model):
    class Kind(models.TextChoices):
        COMPUTED = "computed", _("computed from the data")
        ENTERED = "entered", _("entered by staff per period")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_lv = models.CharField(_("name (Latvian)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    unit_lv = models.CharField(_("unit (Latvian)"), max_length=64)
    unit_en = models.CharField(_("unit (English)"), max_length=64, blank=True)
    baseline = models.DecimalField(
        _("baseline"), max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    target = models.DecimalField(
        _("target"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Leave empty for a figure that is reported without a target."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    computation = models.CharField(
        _("computation"),
        max_length=64,
        choices=COMPUTATION_CHOICES,
        blank=True,
        help_text=_("For a computed indicator: which figure of the data it is."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords(
        verbose_name=_("historical indicator"), verbose_name_plural=_("indicator history")
    )

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="computed") & ~Q(computation=""))
                | (Q(kind="entered") & Q(computation="")),
                name="indicator_computation_matches_kind",
                violation_error_message=_(
                    "A computed indicator needs a computation; an entered one has none."
                ),
            ),
            models.CheckConstraint(
                condition=Q(baseline__gte=0) & (Q(target__isnull=True) | Q(target__gte=0)),
                name="indicator_baseline_and_target_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.code}: {self.name}"

    @property
    def name(self):
        return localized(self, "name")

    @property
    def unit(self):
        return localized(self, "unit")


class IndicatorValue(models.Model):
    """What staff report for an entered indicator over one period (achieved in that period)."""

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        related_name="values",
        verbose_name=_("indicator"),
        limit_choices_to={"kind": Indicator.Kind.ENTERED},
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    value = models.DecimalField(
        _("value"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    note = models.TextField(_("note"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
        editable=False,
    )
    entered_at = models.DateTimeField(_("entered"), default=timezone.now, editable=False)
    history = HistoricalRecords(
        verbose_name=_("historical indicator value"),
        verbose_name_plural=_("indicator value history"),
    )

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator", "-period_end"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="indicator_value_period_ends_after_start",
                violation_error_message=_("The period cannot end before it starts."),
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="indicator_value_not_negative"),
            models.UniqueConstraint(
                fields=["indicator", "period_start", "period_end"],
                name="indicator_value_once_per_period",
                violation_error_message=_("This indicator already has a value for this period."),
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.period_start}–{self.period_end}: {self.value}"

    def clean(self):
        super().clean()
        if self.indicator_id and self.indicator.kind != Indicator.Kind.ENTERED:
            from django.core.exceptions import ValidationError

            raise ValidationError(
                {"indicator": _("Values are entered only for indicators entered by staff.")}
            )
