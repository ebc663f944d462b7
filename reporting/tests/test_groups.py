"""`migrate` creates "Finance staff" and "Coordinators" with exactly their permissions."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse

from reporting.groups import COORDINATORS, FINANCE_STAFF, reporting_groups_sync
from reporting.tests.budget_factories import BudgetFactory

pytestmark = pytest.mark.django_db

# Written out by hand, not derived from the lists in reporting.groups: a permission added to or
# dropped from them must show up here as a failing test.
EXPECTED_FINANCE_STAFF = {
    "view_budget",
    "add_budget",
    "change_budget",
    "delete_budget",
    "view_fundingsource",
    "add_fundingsource",
    "change_fundingsource",
    "delete_fundingsource",
    "view_budgetheading",
    "add_budgetheading",
    "change_budgetheading",
    "delete_budgetheading",
    "view_expenditure",
    "add_expenditure",
    "change_expenditure",
    "delete_expenditure",
    "view_historicalbudget",
    "view_historicalfundingsource",
    "view_historicalbudgetheading",
    "view_historicalexpenditure",
}
EXPECTED_COORDINATORS = {
    "view_reports",
    "view_budget",
    "view_fundingsource",
    "view_budgetheading",
    "view_expenditure",
    "view_indicator",
    "view_indicatorvalue",
    "view_historicalindicatorvalue",
    "view_submittedreport",
    "add_submittedreport",
}


def permissions_of(name):
    group = Group.objects.get(name=name)
    return set(group.permissions.values_list("content_type__app_label", "codename"))


def installed(codenames):
    """The expected permissions whose models exist in this checkout (indicators come later)."""
    existing = set(
        Permission.objects.filter(content_type__app_label="reporting").values_list(
            "codename", flat=True
        )
    )
    return {("reporting", codename) for codename in codenames if codename in existing}


def test_finance_staff_have_exactly_the_budget_permissions_and_nothing_in_participants():
    assert permissions_of(FINANCE_STAFF) == {("reporting", name) for name in EXPECTED_FINANCE_STAFF}


def test_coordinators_have_exactly_the_reports_permissions():
    assert permissions_of(COORDINATORS) == installed(EXPECTED_COORDINATORS)
    assert ("reporting", "view_reports") in permissions_of(COORDINATORS)


def test_the_sync_sets_the_list_removing_what_is_not_in_it():
    finance = Group.objects.get(name=FINANCE_STAFF)
    finance.permissions.add(Permission.objects.get(codename="view_participant"))
    Group.objects.get(name=COORDINATORS).delete()

    reporting_groups_sync()

    assert permissions_of(FINANCE_STAFF) == {("reporting", name) for name in EXPECTED_FINANCE_STAFF}
    assert permissions_of(COORDINATORS) == installed(EXPECTED_COORDINATORS)


@pytest.mark.parametrize(
    ("group", "status"), [(FINANCE_STAFF, 200), (COORDINATORS, 200), ("Programme staff", 403)]
)
def test_the_admin_follows_the_groups(client, group, status):
    budget = BudgetFactory()
    user = User.objects.create_user("someone", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)

    page = client.get(reverse("admin:reporting_budget_change", args=[budget.pk]))

    assert page.status_code == status


def test_finance_staff_cannot_open_participants(client):
    user = User.objects.create_user("finance", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=FINANCE_STAFF))
    client.force_login(user)

    assert client.get(reverse("admin:participants_participant_changelist")).status_code == 403
    assert client.get(reverse("admin:reporting_expenditure_add")).status_code == 200
