"""Factories for the budget (R2's report tests may use them too)."""

import datetime
from decimal import Decimal

import factory

from courses.tests.factories import ProgrammeFactory
from reporting.budget.models import Budget, BudgetHeading, Expenditure, FundingSource


class BudgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Budget
        django_get_or_create = ("programme",)

    programme = factory.SubFactory(ProgrammeFactory)
    total_cost = Decimal("2011605.00")
    grant_rounding_unit = Decimal("1.00")


class FundingSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingSource

    budget = factory.SubFactory(BudgetFactory)
    name_lv = factory.Sequence(lambda n: f"Avots {n}")
    name_en = factory.Sequence(lambda n: f"Source {n}")
    kind = FundingSource.Kind.GRANT
    share = Decimal("90")


class BudgetHeadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetHeading

    budget = factory.SubFactory(BudgetFactory)
    code = factory.Sequence(lambda n: f"{n + 1}.")
    name_lv = factory.Sequence(lambda n: f"Pozīcija {n}")
    name_en = factory.Sequence(lambda n: f"Heading {n}")
    planned_amount = Decimal("100000.00")


class ExpenditureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expenditure

    heading = factory.SubFactory(BudgetHeadingFactory)
    date = datetime.date(2021, 4, 15)
    amount = Decimal("1000.00")
    supplier = "SIA Piegādātājs"
    document_number = factory.Sequence(lambda n: f"R-{n:04d}")


def published_split(budget):
    """The seed's split on ``budget``: 90% grant (85/15) and 10% municipality."""
    grant = FundingSourceFactory(budget=budget, name_en="EEA and Norway Grants", share=90, order=1)
    nfm = FundingSourceFactory(budget=budget, parent=grant, name_en="NFM", share=85, order=1)
    state = FundingSourceFactory(
        budget=budget,
        parent=grant,
        name_en="State budget",
        kind=FundingSource.Kind.CO_FINANCING,
        share=15,
        order=2,
    )
    municipality = FundingSourceFactory(
        budget=budget,
        name_en="Municipality",
        kind=FundingSource.Kind.CO_FINANCING,
        share=10,
        required_minimum_share=10,
        order=2,
    )
    return grant, nfm, state, municipality
