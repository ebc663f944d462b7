"""Wiring that keeps participants in step with changes staff make to the programme.

``courses`` cannot call ``participants`` (the dependency runs the other way), so a saved stage
is picked up here: after the change commits, free seats (e.g. from a raised capacity) go to
the waiting list at once. The rule itself lives in ``services.waiting_list_promote``. Changes
to what the public pages show make their cached parts stale (``page_cache``).
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from courses.models import Programme, Session, Stage
from participants import page_cache
from participants.models import Registration
from participants.services import waiting_list_promote


@receiver(post_save, sender=Stage, dispatch_uid="participants.promote_after_stage_change")
def promote_after_stage_change(sender, instance, created, raw=False, **kwargs):
    if created or raw:
        return
    stage_pk = instance.pk
    transaction.on_commit(lambda: waiting_list_promote(stage=Stage(pk=stage_pk)))


def _seats_may_change(registration, *, created, update_fields):
    """Whether saving ``registration`` may change a stage's seats left: a new registration
    awaits confirmation (no seat yet); a save that leaves the status alone takes none."""
    if created:
        return registration.status == Registration.Status.CONFIRMED
    return update_fields is None or "status" in update_fields


@receiver([post_save, post_delete], dispatch_uid="participants.public_pages_changed")
def public_pages_changed(sender, instance, created=False, update_fields=None, **kwargs):
    """Something the public programme and stage pages show changed: their cache is stale."""
    if isinstance(instance, (Programme, Stage, Session)) or (
        isinstance(instance, Registration)
        and _seats_may_change(instance, created=created, update_fields=update_fields)
    ):
        page_cache.invalidate()


@receiver(post_migrate, dispatch_uid="participants.public_pages_after_migrate")
def public_pages_after_migrate(sender, app_config=None, **kwargs):
    """A deploy (which migrates) may change the pages' templates: render them anew."""
    if app_config is not None and app_config.name == "participants":
        page_cache.drop_version()
