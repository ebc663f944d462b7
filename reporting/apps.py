from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reporting")

    def ready(self):
        from reporting.groups import sync_after_migrate

        post_migrate.connect(sync_after_migrate, dispatch_uid="reporting_groups_sync")
