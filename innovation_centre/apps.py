from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PortalConfig(AppConfig):
    """Wires the apps together: here, the staff group that spans them."""

    name = "innovation_centre"
    verbose_name = "Innovation Centre portal"

    def ready(self):
        from innovation_centre.staff import sync_after_migrate

        post_migrate.connect(sync_after_migrate, dispatch_uid="programme_staff_group_sync")
