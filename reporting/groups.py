"""The groups "Finance staff" and "Coordinators", each with exactly the permissions it needs.

Brought up to date after every ``migrate`` (a post_migrate hook registered in
``reporting.apps``), like "Programme staff" in ``innovation_centre.staff``: the permissions are
*set*, so whatever is not listed is removed; models not installed (yet) are skipped.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q

FINANCE_STAFF = "Finance staff"
COORDINATORS = "Coordinators"

VIEW = ("view",)
MANAGE_AND_DELETE = ("view", "add", "change", "delete")

# "app_label.model": the actions the group may take on it (or full codenames, see below).
FINANCE_STAFF_PERMISSIONS = {
    "reporting.budget": MANAGE_AND_DELETE,
    "reporting.fundingsource": MANAGE_AND_DELETE,
    "reporting.budgetheading": MANAGE_AND_DELETE,
    "reporting.expenditure": MANAGE_AND_DELETE,
    "reporting.historicalbudget": VIEW,
    "reporting.historicalfundingsource": VIEW,
    "reporting.historicalbudgetheading": VIEW,
    "reporting.historicalexpenditure": VIEW,
}

COORDINATORS_PERMISSIONS = {
    "reporting.budget": ("view", "reporting.view_reports"),
    "reporting.fundingsource": VIEW,
    "reporting.budgetheading": VIEW,
    "reporting.expenditure": VIEW,
    "reporting.indicator": VIEW,
    "reporting.indicatorvalue": VIEW,
    "reporting.historicalindicatorvalue": VIEW,
    "reporting.submittedreport": ("view", "add"),  # add = submit a period's report
}

GROUPS = {FINANCE_STAFF: FINANCE_STAFF_PERMISSIONS, COORDINATORS: COORDINATORS_PERMISSIONS}


def _codename(action, model):
    """An action ("view") on the model, or a custom permission given as "app.codename"."""
    return action.split(".", 1)[1] if "." in action else f"{action}_{model}"


def _permission_filter(permissions):
    condition = Q(pk__in=[])
    for label, actions in permissions.items():
        app_label, model = label.split(".")
        condition |= Q(
            content_type__app_label=app_label,
            content_type__model=model,
            codename__in=[_codename(action, model) for action in actions],
        )
    return condition


def reporting_groups_sync(*, apps=global_apps, using=DEFAULT_DB_ALIAS):
    """Create or update both groups so that each holds exactly its listed permissions."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    groups = {}
    for name, permissions in GROUPS.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.set(
            Permission.objects.using(using).filter(_permission_filter(permissions))
        )
        groups[name] = group
    return groups


def sync_after_migrate(sender, *, apps=global_apps, using=DEFAULT_DB_ALIAS, **kwargs):
    """post_migrate hook: once per migrate (when the signal is sent for `reporting`)."""
    if sender.label != "reporting":
        return
    create_permissions(sender, verbosity=0, using=using, apps=apps)
    reporting_groups_sync(apps=apps, using=using)
