"""The programme's budget: total cost, funding sources, headings and expenditure.

Django finds these models through ``reporting.models``. Every change keeps its history (who,
when, the row before and after) with django-simple-history.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from reporting.budget.validators import validate_scan
from reporting.money import CENT, EURO, money_text

MAX_EXPENDITURE = Decimal("10000000.00")
ZERO = Decimal("0")


def _localised(row, field):
    english = getattr(row, f"{field}_en")
    return english if english and get_language() == "en" else getattr(row, f"{field}_lv")


class BudgetQuerySet(models.QuerySet):
    pass


class BudgetManager(models.Manager.from_queryset(BudgetQuerySet)):
    def get_queryset(self):
        # A budget is named by its programme (in lists, filters and choices alike).
        return super().get_queryset().select_related("programme")


class Budget(models.Model):
    """The programme's total cost and how grant shares are rounded."""

    class Currency(models.TextChoices):
        EUR = "EUR", _("euro (EUR)")

    programme = models.OneToOneField(
        "courses.Programme",
        on_delete=models.PROTECT,
        related_name="budget",
        verbose_name=_("programme"),
    )
    total_cost = models.DecimalField(
        _("total cost"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(ZERO)],
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency, default=Currency.EUR)
    grant_rounding_unit = models.DecimalField(
        _("grant shares rounded down to"),
        max_digits=3,
        decimal_places=2,
        choices=[(EURO, _("whole euros")), (CENT, _("cents"))],
        default=EURO,
        help_text=_(
            "A grant never exceeds its rate: its share is rounded down to this unit and "
            "co-financing takes the rest."
        ),
    )
    history = HistoricalRecords(
        verbose_name=_("historical budget"), verbose_name_plural=_("budget history")
    )

    objects = BudgetManager()

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        permissions = [("view_reports", _("Can see the reports area"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_cost__gte=0),
                name="budget_total_cost_not_negative",
                violation_error_message=_("The total cost cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(grant_rounding_unit__in=[EURO, CENT]),
                name="budget_grant_rounding_unit_euro_or_cent",
                violation_error_message=_("Grant shares are rounded to whole euros or to cents."),
            ),
        ]

    def __str__(self):
        return str(_("Budget of %(programme)s") % {"programme": self.programme})


class FundingSource(models.Model):
    """Who pays a share: of the total cost, or of its parent source's amount."""

    class Kind(models.TextChoices):
        GRANT = "grant", _("grant")
        CO_FINANCING = "co_financing", _("co-financing")

    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="sources", verbose_name=_("budget")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("part of"),
        help_text=_("Leave empty for a share of the total cost; choose a source to split it."),
    )
    name_lv = models.CharField(_("name (Latvian)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    share = models.DecimalField(
        _("share, %"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(CENT), MaxValueValidator(Decimal(100))],
        help_text=_("Percent of the parent source's amount, or of the total cost."),
    )
    required_minimum_share = models.DecimalField(
        _("required minimum of the total, %"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal(100))],
        help_text=_(
            "For co-financing: the share of the total cost it must reach at least; the "
            "progress report checks it."
        ),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords(
        verbose_name=_("historical funding source"),
        verbose_name_plural=_("funding source history"),
    )

    class Meta:
        verbose_name = _("funding source")
        verbose_name_plural = _("funding sources")
        ordering = ["budget", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(share__gt=0, share__lte=100),
                name="funding_source_share_0_to_100",
                violation_error_message=_("A share must be more than 0% and at most 100%."),
            ),
            models.CheckConstraint(
                condition=Q(required_minimum_share__isnull=True)
                | Q(required_minimum_share__gte=0, required_minimum_share__lte=100),
                name="funding_source_required_minimum_0_to_100",
                violation_error_message=_("A required minimum is between 0% and 100%."),
            ),
            models.UniqueConstraint(
                fields=["budget", "name_lv"],
                name="funding_source_name_unique_in_budget",
                violation_error_message=_("This budget already has a source with this name."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return _localised(self, "name")

    @property
    def is_grant(self):
        return self.kind == self.Kind.GRANT


class BudgetHeading(models.Model):
    """A line of the budget with its planned amount (staff costs, equipment, ...)."""

    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="headings", verbose_name=_("budget")
    )
    code = models.CharField(_("code"), max_length=20)
    name_lv = models.CharField(_("name (Latvian)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    planned_amount = models.DecimalField(
        _("planned amount"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(ZERO)],
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords(
        verbose_name=_("historical budget heading"),
        verbose_name_plural=_("budget heading history"),
    )

    class Meta:
        verbose_name = _("budget heading")
        verbose_name_plural = _("budget headings")
        ordering = ["budget", "order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_amount__gte=0),
                name="budget_heading_planned_not_negative",
                violation_error_message=_("The planned amount cannot be negative."),
            ),
            models.UniqueConstraint(
                fields=["budget", "code"],
                name="budget_heading_code_unique_in_budget",
                violation_error_message=_("This budget already has a heading with this code."),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def name(self):
        return _localised(self, "name")


class Expenditure(models.Model):
    """One paid invoice or other cost, charged to a heading and split over the sources."""

    heading = models.ForeignKey(
        BudgetHeading,
        on_delete=models.PROTECT,
        related_name="expenditures",
        verbose_name=_("budget heading"),
    )
    date = models.DateField(_("date"))
    amount = models.DecimalField(
        _("amount"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(CENT), MaxValueValidator(MAX_EXPENDITURE)],
    )
    supplier = models.CharField(_("supplier"), max_length=255)
    document_number = models.CharField(_("document number"), max_length=64)
    eligible = models.BooleanField(
        _("eligible"), default=True, help_text=_("Ineligible spending is reported apart.")
    )
    note = models.TextField(_("note"), blank=True)
    scan = models.FileField(
        _("scan"),
        upload_to="reporting/expenditure/%Y/%m/",
        blank=True,
        validators=[validate_scan],
        help_text=_("The invoice or receipt: PDF, JPEG or PNG, at most 10 MB."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    created_at = models.DateTimeField(_("entered"), default=timezone.now)
    history = HistoricalRecords(
        verbose_name=_("historical expenditure"), verbose_name_plural=_("expenditure history")
    )

    class Meta:
        verbose_name = _("expenditure item")
        verbose_name_plural = _("expenditure")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0, amount__lte=MAX_EXPENDITURE),
                name="expenditure_amount_positive_and_sane",
                violation_error_message=_(
                    "An amount must be more than 0 and at most 10 000 000,00 EUR."
                ),
            ),
        ]
        indexes = [models.Index(fields=["heading", "date"], name="expenditure_heading_date")]

    def __str__(self):
        amount = money_text(self.amount)
        return f"{self.date:%d.%m.%Y.} {self.supplier} {amount} ({self.document_number})"
