"""The published budget of the source article: 2 011 605 EUR, 90% EEA and Norway Grants
(1 810 444 EUR, split again 85% Norwegian Financial Mechanism / 15% Latvian state budget) and
10% Daugavpils municipality co-financing (201 161 EUR), grants rounded down to whole euros.

``budget_seed`` creates only what is missing and never changes a row staff may have edited:
the budget is matched by programme; a level of funding sources is filled only while it is empty
(so a second run, or staff's own split, is left alone, and no level can pass 100%).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from courses.models import Programme
from reporting.budget.models import Budget, FundingSource
from reporting.money import EURO

TOTAL_COST = Decimal("2011605.00")
GRANT_NAME_LV = (
    "Eiropas Ekonomikas zonas finanšu instrumenta un Norvēģijas finanšu instrumenta finansējums"
)
GRANT = FundingSource.Kind.GRANT
CO_FINANCING = FundingSource.Kind.CO_FINANCING

TOP_SOURCES = [
    {
        "name_lv": GRANT_NAME_LV,
        "name_en": "EEA and Norway Grants",
        "kind": GRANT,
        "share": Decimal("90"),
        "order": 10,
    },
    {
        "name_lv": "Daugavpils valstspilsētas pašvaldība",
        "name_en": "Daugavpils municipality",
        "kind": CO_FINANCING,
        "share": Decimal("10"),
        "required_minimum_share": Decimal("10"),
        "order": 20,
    },
]
# The Latvian rules for the activity "Innovation centres": of the grant, 85% Norwegian
# Financial Mechanism and 15% national co-financing from the state budget (which, as
# co-financing, takes the rounding rest).
GRANT_SOURCES = [
    {
        "name_lv": "Norvēģijas finanšu instruments",
        "name_en": "Norwegian Financial Mechanism",
        "kind": GRANT,
        "share": Decimal("85"),
        "order": 10,
    },
    {
        "name_lv": "Latvijas valsts budžets",
        "name_en": "Latvian state budget",
        "kind": CO_FINANCING,
        "share": Decimal("15"),
        "order": 20,
    },
]


@dataclass
class BudgetSeedReport:
    budget: Budget | None = None
    budget_created: bool = False
    sources_created: list[str] = field(default_factory=list)

    @property
    def created_anything(self) -> bool:
        return self.budget_created or bool(self.sources_created)


def budget_seed(*, programme: Programme, dry_run: bool = False) -> BudgetSeedReport:
    """Load the published budget and split for ``programme``, creating only what is missing."""
    report = BudgetSeedReport()
    with transaction.atomic():
        budget, report.budget_created = Budget.objects.get_or_create(
            programme=programme,
            defaults={"total_cost": TOTAL_COST, "currency": "EUR", "grant_rounding_unit": EURO},
        )
        report.budget = budget
        _fill_empty_level(budget, None, TOP_SOURCES, report)
        grant = FundingSource.objects.filter(budget=budget, name_lv=GRANT_NAME_LV).first()
        if grant is not None:
            _fill_empty_level(budget, grant, GRANT_SOURCES, report)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _fill_empty_level(budget, parent, rows, report):
    if FundingSource.objects.filter(budget=budget, parent=parent).exists():
        return
    for row in rows:
        FundingSource.objects.create(budget=budget, parent=parent, **row)  # one by one: history
        report.sources_created.append(row["name_en"])
