"""Wiring that keeps participants in step with changes staff make to the programme.

``courses`` cannot call ``participants`` (the dependency runs the other way), so a saved stage
is picked up here: after the change commits, free seats (e.g. from a raised capacity) go to
the waiting list at once. The rule itself lives in ``services.waiting_list_promote``.
"""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from courses.models import Stage
from participants.services import waiting_list_promote


@receiver(post_save, sender=Stage, dispatch_uid="participants.promote_after_stage_change")
def promote_after_stage_change(sender, instance, created, raw=False, **kwargs):
    if created or raw:
        return
    stage_pk = instance.pk
    transaction.on_commit(lambda: waiting_list_promote(stage=Stage(pk=stage_pk)))
