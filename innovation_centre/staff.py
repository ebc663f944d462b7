"""The group "Programme staff" and exactly the permissions staff need, in one list.

The group is brought up to date after every `migrate` (a post_migrate hook, registered in
`innovation_centre.apps`), so a deployment that adds a model or a permission here gets it on its
next migrate, and tests get the same group as production. Models not installed (yet) are
skipped. The group's permissions are *set*, not added to: whatever is not listed is removed.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q

PROGRAMME_STAFF = "Programme staff"

VIEW = ("view",)
VIEW_CHANGE = ("view", "change")
MANAGE = ("view", "add", "change")
MANAGE_AND_DELETE = ("view", "add", "change", "delete")

# "app_label.model": the actions staff may take on it.
PROGRAMME_STAFF_PERMISSIONS = {
    "courses.programme": MANAGE,
    "courses.stage": MANAGE,
    "courses.session": MANAGE_AND_DELETE,
    "courses.reminderrule": MANAGE_AND_DELETE,
    "participants.participant": VIEW_CHANGE,
    "participants.registration": VIEW_CHANGE,
    "participants.reminderdelivery": VIEW_CHANGE,
    "participants.participantmail": VIEW,
    "participants.sessionreminders": VIEW_CHANGE,
    "participants.attendance": MANAGE,
    "participants.historicalattendance": VIEW,
    "participants.zoomimport": ("view", "add"),
    "participants.zoomalias": ("view", "delete"),
    "participants.certificate": MANAGE,  # add = issue, change = revoke; never delete
    "django_celery_beat.periodictask": VIEW,
    "django_celery_beat.periodictasks": VIEW,
    "django_celery_beat.crontabschedule": VIEW,
    "django_celery_beat.intervalschedule": VIEW,
    "django_celery_beat.clockedschedule": VIEW,
    "django_celery_beat.solarschedule": VIEW,
}


def _permission_filter(permissions):
    condition = Q(pk__in=[])
    for label, actions in permissions.items():
        app_label, model = label.split(".")
        codenames = [f"{action}_{model}" for action in actions]
        condition |= Q(
            content_type__app_label=app_label,
            content_type__model=model,
            codename__in=codenames,
        )
    return condition


def programme_staff_group_sync(*, apps=global_apps, using=DEFAULT_DB_ALIAS):
    """Create or update the group so that it holds exactly the listed permissions."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(using).get_or_create(name=PROGRAMME_STAFF)
    permissions = Permission.objects.using(using).filter(
        _permission_filter(PROGRAMME_STAFF_PERMISSIONS)
    )
    group.permissions.set(permissions)
    return group


def _app_labels():
    return {label.split(".")[0] for label in PROGRAMME_STAFF_PERMISSIONS}


def sync_after_migrate(sender, *, apps=global_apps, using=DEFAULT_DB_ALIAS, **kwargs):
    """post_migrate hook: once per migrate (when the signal is sent for `courses`)."""
    if sender.label != "courses":
        return
    # The other apps' permissions may not exist yet at this point of the migrate.
    for label in _app_labels():
        try:
            app_config = global_apps.get_app_config(label)
        except LookupError:
            continue
        create_permissions(app_config, verbosity=0, using=using, apps=apps)
    programme_staff_group_sync(apps=apps, using=using)
