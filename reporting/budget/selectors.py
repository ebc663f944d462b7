"""Reads of the budget: the funding-source tree and the splits of money over it."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from reporting.budget.models import Budget, Expenditure, FundingSource
from reporting.money import CENT, HUNDRED, ShareSpec, SplitPart, money_split, split_totals


def budget_shares(*, budget: Budget) -> tuple[ShareSpec, ...]:
    """The budget's funding sources as a tree of shares (keys are source pks), in one query."""
    return shares_tree(FundingSource.objects.filter(budget=budget).order_by("order", "pk"))


def shares_tree(sources: Iterable[FundingSource]) -> tuple[ShareSpec, ...]:
    """Funding sources (of one budget, in their order) as a tree of shares; no query."""
    by_parent = {}
    for source in sources:
        by_parent.setdefault(source.parent_id, []).append(source)

    def level(parent_id):
        return tuple(
            ShareSpec(
                key=source.pk,
                percent=source.share,
                is_grant=source.is_grant,
                children=level(source.pk),
                name=source.name,
            )
            for source in by_parent.get(parent_id, [])
        )

    return level(None)


def budget_split(*, budget: Budget) -> tuple[SplitPart, ...]:
    """The total cost over the sources, grants rounded down to the budget's unit."""
    return money_split(
        amount=budget.total_cost,
        shares=budget_shares(budget=budget),
        unit=budget.grant_rounding_unit,
    )


def expenditure_split(*, expenditure: Expenditure) -> tuple[SplitPart, ...]:
    """One item over the sources of its budget, to the cent."""
    budget = expenditure.heading.budget
    return money_split(amount=expenditure.amount, shares=budget_shares(budget=budget), unit=CENT)


def expenditures_by_source(
    *, budget: Budget, expenditures: Iterable[Expenditure]
) -> dict[int, Decimal]:
    """Each item split to the cent, summed per source (every source of the tree, at every depth).

    Splitting each item (not the sum) matches what is charged to each source item by item.
    """
    totals, _none = spending_by_source(
        shares=budget_shares(budget=budget), expenditures=expenditures, counts=lambda item: False
    )
    return totals


def spending_by_source(
    *, shares: tuple[ShareSpec, ...], expenditures: Iterable[Expenditure], counts
) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """Each item split to the cent once, summed per source: over all the items, and over those
    for which ``counts(item)`` is true (the items of a period, say). No query."""
    empty = split_totals(money_split(amount=0, shares=shares))
    totals = {key: Decimal("0.00") for key in empty}
    some = dict(totals)
    for expenditure in expenditures:
        parts = split_totals(money_split(amount=expenditure.amount, shares=shares, unit=CENT))
        counted = counts(expenditure)
        for key, amount in parts.items():
            totals[key] += amount
            if counted:
                some[key] += amount
    return totals, some


def split_rows(parts: Iterable[SplitPart], *, depth: int = 0):
    """The split as flat rows (depth, part) for display, parents before their children."""
    for part in parts:
        yield depth, part
        yield from split_rows(part.children, depth=depth + 1)


@dataclass(frozen=True)
class CoFinancingCheck:
    source: FundingSource
    required_percent: Decimal
    actual_percent: Decimal  # of the whole, to 0.01, rounded down (never flatters)
    amount: Decimal

    @property
    def met(self) -> bool:
        return self.actual_percent >= self.required_percent


def co_financing_checks(
    *, budget: Budget, amounts: dict[int, Decimal], whole: Decimal
) -> list[CoFinancingCheck]:
    """Each source with a required minimum: its share of ``whole`` (the total cost, or the
    spending) against that minimum. ``amounts`` is a split's totals by source pk."""
    sources = FundingSource.objects.filter(
        budget=budget, required_minimum_share__isnull=False
    ).order_by("order", "pk")
    checks = []
    for source in sources:
        amount = amounts.get(source.pk, Decimal("0.00"))
        percent = (amount * HUNDRED / whole).quantize(CENT, ROUND_FLOOR) if whole else Decimal(0)
        checks.append(CoFinancingCheck(source, source.required_minimum_share, percent, amount))
    return checks
