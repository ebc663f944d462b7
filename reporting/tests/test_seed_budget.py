"""`seed_programme` loads the published budget and split; a second run changes nothing."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from courses.services import programme_seed
from reporting.budget.models import Budget, FundingSource
from reporting.budget.selectors import budget_split
from reporting.money import split_totals
from reporting.seed import budget_seed
from reporting.tests.budget_factories import BudgetFactory, FundingSourceFactory

pytestmark = pytest.mark.django_db


def seed():
    out = StringIO()
    call_command("seed_programme", stdout=out)
    return out.getvalue()


def amounts_by_english_name(budget):
    totals = split_totals(budget_split(budget=budget))
    return {source.name_en: totals[source.pk] for source in budget.sources.all()}


def everything():
    rows = list(Budget.objects.values()) + list(FundingSource.objects.values())
    history = Budget.history.count() + FundingSource.history.count()
    return rows, history


def test_the_command_loads_the_published_figures():
    seed()

    budget = Budget.objects.get(programme__project_number="NFI/IC/VIAA/2020/4")
    assert budget.total_cost == Decimal("2011605.00")
    assert budget.grant_rounding_unit == Decimal("1.00")
    assert amounts_by_english_name(budget) == {
        "EEA and Norway Grants": Decimal("1810444.00"),
        "Daugavpils municipality": Decimal("201161.00"),
        "Norwegian Financial Mechanism": Decimal("1538877.00"),
        "Latvian state budget": Decimal("271567.00"),
    }
    grant = budget.sources.get(name_en="EEA and Norway Grants")
    assert grant.name_lv == (
        "Eiropas Ekonomikas zonas finanšu instrumenta un Norvēģijas finanšu instrumenta finansējums"
    )
    assert budget.sources.get(name_en="Daugavpils municipality").required_minimum_share == 10


def test_a_second_run_changes_nothing():
    seed()
    before = everything()

    out = seed()

    assert everything() == before
    assert "The budget is already loaded; nothing changed." in out


def test_staff_edits_and_staff_split_are_kept():
    seed()
    budget = Budget.objects.get()
    budget.total_cost = Decimal("2100000.00")
    budget.save()
    state = FundingSource.objects.get(name_en="Latvian state budget")
    state.delete()
    FundingSource.objects.filter(name_en="Norwegian Financial Mechanism").update(share=100)

    seed()

    budget.refresh_from_db()
    assert budget.total_cost == Decimal("2100000.00")
    assert not FundingSource.objects.filter(name_en="Latvian state budget").exists()


def test_a_budget_entered_by_staff_before_the_seed_gets_no_second_split():
    programme = budget_seed_programme()
    budget = BudgetFactory(programme=programme, total_cost=Decimal("5000.00"))
    FundingSourceFactory(budget=budget, share=100, name_en="Own split")

    report = budget_seed(programme=programme)

    assert not report.created_anything
    assert list(budget.sources.values_list("name_en", flat=True)) == ["Own split"]


def test_dry_run_writes_nothing():
    programme = budget_seed_programme()

    report = budget_seed(programme=programme, dry_run=True)

    assert report.budget_created and len(report.sources_created) == 4
    assert not Budget.objects.exists()
    assert not FundingSource.objects.exists()


def test_the_command_dry_run_writes_no_budget():
    out = StringIO()
    call_command("seed_programme", "--dry-run", stdout=out)

    assert "Would create the budget: 2011605.00 EUR." in out.getvalue()
    assert not Budget.objects.exists()


def budget_seed_programme():
    return programme_seed().programme
