"""The database refuses what no budget can hold, whatever code path writes it."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from reporting.budget.models import Expenditure
from reporting.budget.selectors import (
    budget_split,
    co_financing_checks,
    expenditure_split,
    expenditures_by_source,
)
from reporting.money import split_totals
from reporting.tests.budget_factories import (
    BudgetFactory,
    BudgetHeadingFactory,
    ExpenditureFactory,
    FundingSourceFactory,
    published_split,
)

pytestmark = pytest.mark.django_db


def refused(factory, **fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**fields)


@pytest.mark.parametrize("share", [Decimal("0"), Decimal("-5"), Decimal("100.01")])
def test_a_share_outside_0_to_100_is_refused(share):
    refused(FundingSourceFactory, share=share)


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-0.01"), Decimal("10000000.01")])
def test_a_zero_negative_or_absurd_expenditure_is_refused(amount):
    heading = BudgetHeadingFactory()

    refused(ExpenditureFactory, heading=heading, amount=amount)

    assert not Expenditure.objects.exists()


def test_a_negative_plan_or_total_is_refused():
    refused(BudgetHeadingFactory, planned_amount=Decimal("-1"))
    refused(BudgetFactory, total_cost=Decimal("-1"))


def test_only_whole_euros_or_cents_round_grants():
    refused(BudgetFactory, grant_rounding_unit=Decimal("0.10"))


def test_a_heading_with_spending_cannot_be_deleted():
    expenditure = ExpenditureFactory()

    with pytest.raises(ProtectedError), transaction.atomic():
        expenditure.heading.delete()

    assert Expenditure.objects.filter(pk=expenditure.pk).exists()


def test_the_budget_split_and_each_items_split():
    budget = BudgetFactory()
    grant, nfm, state, municipality = published_split(budget)
    heading = BudgetHeadingFactory(budget=budget)
    expenditure = ExpenditureFactory(heading=heading, amount=Decimal("333.33"))

    totals = split_totals(budget_split(budget=budget))
    item = split_totals(expenditure_split(expenditure=expenditure))

    assert [totals[s.pk] for s in (grant, nfm, state, municipality)] == [
        Decimal("1810444.00"),
        Decimal("1538877.00"),
        Decimal("271567.00"),
        Decimal("201161.00"),
    ]
    # Items are split to the cent: 299.997 -> 299.99 grant, 33.34 municipality.
    assert [item[s.pk] for s in (grant, nfm, state, municipality)] == [
        Decimal("299.99"),
        Decimal("254.99"),  # 85% of 299.99 = 254.9915
        Decimal("45.00"),
        Decimal("33.34"),
    ]


def test_spending_per_source_is_the_sum_of_each_items_split(django_assert_num_queries):
    budget = BudgetFactory()
    grant, nfm, state, municipality = published_split(budget)
    heading = BudgetHeadingFactory(budget=budget)
    items = [ExpenditureFactory(heading=heading, amount=Decimal("0.05")) for _ in range(3)]

    with django_assert_num_queries(1):
        totals = expenditures_by_source(budget=budget, expenditures=items)

    # Each 0.05: grant 0.04 (0.045 rounded down), municipality 0.01; three items.
    assert totals[grant.pk] == Decimal("0.12")
    assert totals[municipality.pk] == Decimal("0.03")
    assert totals[nfm.pk] + totals[state.pk] == totals[grant.pk]


def test_co_financing_below_its_minimum_is_flagged():
    budget = BudgetFactory(total_cost=Decimal("1000.00"))
    FundingSourceFactory(budget=budget, share=Decimal("95"))
    municipality = FundingSourceFactory(
        budget=budget, kind="co_financing", share=Decimal("5"), required_minimum_share=10
    )

    (check,) = co_financing_checks(
        budget=budget, amounts=split_totals(budget_split(budget=budget)), whole=budget.total_cost
    )

    assert check.source == municipality
    assert check.actual_percent == Decimal("5.00")
    assert not check.met
