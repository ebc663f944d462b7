"""The budget in the admin, for finance staff: every page keeps its history (who, when, a diff),
the budget and each expenditure item show their split over the funding sources. Imported by
``reporting/admin.py``."""

import mimetypes
from pathlib import Path

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, DecimalField, Sum, Value
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from courses.admin_input import ValidSelectionMixin
from reporting.budget import selectors
from reporting.budget.forms import ExpenditureForm, FundingSourceForm
from reporting.budget.models import Budget, BudgetHeading, Expenditure, FundingSource
from reporting.money import SplitError, money_text, split_totals

ZERO_MONEY = Value(0, output_field=DecimalField(max_digits=14, decimal_places=2))


def split_table(parts, *, currency="EUR"):
    """The split as an HTML table: source, share of its parent, amount (nested by indent)."""
    rows = format_html_join(
        "",
        '<tr><td style="padding-left:{}em">{}</td><td>{}</td><td>{}%</td><td>{}</td></tr>',
        (
            (
                0.5 + 1.5 * depth,
                part.name,
                _("grant") if part.is_grant else _("co-financing"),
                f"{part.percent.normalize():f}",
                money_text(part.amount, currency),
            )
            for depth, part in selectors.split_rows(parts)
        ),
    )
    return format_html(
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
        "<tbody>{}</tbody></table>",
        _("Funding source"),
        _("Kind"),
        _("Share"),
        _("Amount"),
        rows,
    )


def split_or_message(compute, *, currency="EUR"):
    try:
        parts = compute()
    except SplitError as error:
        return format_html('<p class="errornote">{}</p>', error)
    if not parts:
        return _("No funding sources yet.")
    return split_table(parts, currency=currency)


@admin.register(Budget)
class BudgetAdmin(ValidSelectionMixin, SimpleHistoryAdmin):
    list_display = ("programme", "total_cost_text", "grant_rounding_unit")
    readonly_fields = ("split", "co_financing_check")
    fields = (
        "programme",
        "total_cost",
        "currency",
        "grant_rounding_unit",
        "split",
        "co_financing_check",
    )
    history_list_display = ("total_cost", "grant_rounding_unit")

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        readonly = ("split", "co_financing_check")
        return fields if obj else [name for name in fields if name not in readonly]

    @admin.display(description=_("total cost"), ordering="total_cost")
    def total_cost_text(self, budget):
        return money_text(budget.total_cost, budget.currency)

    @admin.display(description=_("split over the funding sources"))
    def split(self, budget):
        return split_or_message(
            lambda: selectors.budget_split(budget=budget), currency=budget.currency
        )

    @admin.display(description=_("co-financing check"))
    def co_financing_check(self, budget):
        try:
            amounts = split_totals(selectors.budget_split(budget=budget))
        except SplitError:
            return "-"
        checks = selectors.co_financing_checks(
            budget=budget, amounts=amounts, whole=budget.total_cost
        )
        return format_html_join(
            "",
            "<p>{}</p>",
            ((co_financing_text(check),) for check in checks),
        ) or _("No source has a required minimum share.")


def co_financing_text(check):
    if check.met:
        text = _("%(source)s: %(actual)s%% of the total, at least %(required)s%% required: met.")
    else:
        text = _(
            "%(source)s: %(actual)s%% of the total, at least %(required)s%% required: NOT met."
        )
    return text % {
        "source": check.source,
        "actual": f"{check.actual_percent.normalize():f}",
        "required": f"{check.required_percent.normalize():f}",
    }


@admin.register(FundingSource)
class FundingSourceAdmin(ValidSelectionMixin, SimpleHistoryAdmin):
    form = FundingSourceForm
    list_display = ("name_lv", "parent", "kind", "share", "required_minimum_share", "order")
    list_filter = ("budget", "kind")
    list_select_related = ("parent",)
    ordering = ("budget", "parent__order", "order", "pk")
    history_list_display = ("share",)


@admin.register(BudgetHeading)
class BudgetHeadingAdmin(ValidSelectionMixin, SimpleHistoryAdmin):
    list_display = ("code", "name_lv", "planned_text", "spent_text", "budget")
    list_filter = ("budget",)
    search_fields = ("code", "name_lv", "name_en")
    history_list_display = ("planned_amount",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("budget__programme")
            .annotate(
                spent=Coalesce(Sum("expenditures__amount"), ZERO_MONEY),
                spending_items=Count("expenditures"),
            )
        )

    @admin.display(description=_("planned amount"), ordering="planned_amount")
    def planned_text(self, heading):
        return money_text(heading.planned_amount, heading.budget.currency)

    @admin.display(description=_("spent"), ordering="spent")
    def spent_text(self, heading):
        return money_text(heading.spent, heading.budget.currency)

    def delete_view(self, request, object_id, extra_context=None):
        heading = self.get_object(request, object_id)
        if heading is not None and heading.spending_items:
            self.message_user(request, heading_protected_message(heading), messages.ERROR)
        return super().delete_view(request, object_id, extra_context)


def heading_protected_message(heading):
    return ngettext(
        "The heading “%(heading)s” has %(count)d expenditure item: move it to another heading "
        "or delete it first. Nothing was deleted.",
        "The heading “%(heading)s” has %(count)d expenditure items: move them to another "
        "heading or delete them first. Nothing was deleted.",
        heading.spending_items,
    ) % {"heading": heading, "count": heading.spending_items}


@admin.register(Expenditure)
class ExpenditureAdmin(ValidSelectionMixin, SimpleHistoryAdmin):
    form = ExpenditureForm
    list_display = (
        "date",
        "heading",
        "amount_text",
        "supplier",
        "document_number",
        "eligible",
        "has_scan",
    )
    list_filter = ("eligible", "heading__budget", "heading")
    list_select_related = ("heading__budget",)
    search_fields = ("supplier", "document_number", "note")
    date_hierarchy = "date"
    readonly_fields = ("split", "created_by", "created_at")
    history_list_display = ("amount",)

    def get_fields(self, request, obj=None):
        fields = list(ExpenditureForm.Meta.fields)
        return fields + ["split", "created_by", "created_at"] if obj else fields

    def get_urls(self):
        scan = path(
            "<path:object_id>/scan/",
            self.admin_site.admin_view(self.scan_view),
            name="reporting_expenditure_scan",
        )
        return [scan, *super().get_urls()]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("amount"), ordering="amount")
    def amount_text(self, expenditure):
        return money_text(expenditure.amount, expenditure.heading.budget.currency)

    @admin.display(description=_("scan"), boolean=True)
    def has_scan(self, expenditure):
        return bool(expenditure.scan)

    @admin.display(description=_("split over the funding sources"))
    def split(self, expenditure):
        return split_or_message(
            lambda: selectors.expenditure_split(expenditure=expenditure),
            currency=expenditure.heading.budget.currency,
        )

    def scan_view(self, request, object_id):
        """The attached scan, for staff who may see the item (scans are not public media)."""
        expenditure = self.get_object(request, object_id)
        if expenditure is None:
            raise Http404
        if not self.has_view_permission(request, expenditure):
            raise PermissionDenied
        if not expenditure.scan:
            raise Http404
        try:
            handle = expenditure.scan.open("rb")
        except FileNotFoundError as error:
            raise Http404 from error
        name = Path(expenditure.scan.name).name
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
