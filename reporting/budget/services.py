"""Rules that keep the budget consistent; the admin's forms and the seed call them."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from reporting.budget.models import MAX_EXPENDITURE, Budget, BudgetHeading, FundingSource
from reporting.money import SplitError, money_text, shares_check


def funding_source_check(
    *,
    budget: Budget,
    parent: FundingSource | None,
    share: Decimal,
    source: FundingSource | None = None,
) -> None:
    """Refuse a source whose level would add up to more than 100%, or a parent that is in
    another budget or below the source itself (a loop)."""
    if parent is not None:
        if parent.budget_id != budget.pk:
            raise ValidationError({"parent": _("Choose a source of the same budget.")})
        if source is not None and source.pk and _is_below(parent, source):
            raise ValidationError({"parent": _("A source cannot be a part of itself.")})
    siblings = FundingSource.objects.filter(budget=budget, parent=parent)
    if source is not None and source.pk:
        siblings = siblings.exclude(pk=source.pk)
    percents = list(siblings.values_list("share", flat=True)) + [share]
    try:
        shares_check(percents, whole_name=parent.name if parent else _("the total cost"))
    except SplitError as error:
        raise ValidationError({"share": str(error)}) from error


def expenditure_amount_check(*, amount: Decimal, heading: BudgetHeading | None = None) -> None:
    """A clear message for amounts no invoice can have (the database refuses them too)."""
    if amount <= 0:
        raise ValidationError({"amount": _("An amount must be more than 0.")})
    if amount > MAX_EXPENDITURE:
        raise ValidationError(
            {
                "amount": _("%(amount)s is not a credible amount (at most %(limit)s): check it.")
                % {"amount": money_text(amount), "limit": money_text(MAX_EXPENDITURE)}
            }
        )
    if heading is not None and amount > heading.budget.total_cost:
        raise ValidationError(
            {
                "amount": _(
                    "%(amount)s is more than the budget's whole total cost (%(limit)s): "
                    "check the figure."
                )
                % {"amount": money_text(amount), "limit": money_text(heading.budget.total_cost)}
            }
        )


def _is_below(candidate, source):
    """True when candidate is source itself or one of its descendants."""
    seen = set()
    node = candidate
    while node is not None and node.pk not in seen:
        if node.pk == source.pk:
            return True
        seen.add(node.pk)
        node = node.parent
    return False
