from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PortalConfig(AppConfig):
    """Wires the apps together: here, the staff group that spans them."""

    name = "innovation_centre"
    verbose_name = "Innovation Centre portal"

    def ready(self):
        from innovation_centre.staff import sync_after_migrate

        post_migrate.connect(sync_after_migrate, dispatch_uid="programme_staff_group_sync")
        self.connect_login_receivers()

    @staticmethod
    def connect_login_receivers():
        """Log failed logins and lockouts; note at login what the session's second factor is."""
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from innovation_centre.security import logins, sessions, two_factor

        user_login_failed.connect(logins.log_login_failed, dispatch_uid="security_login_failed")
        user_locked_out.connect(logins.log_locked_out, dispatch_uid="security_locked_out")
        user_logged_in.connect(two_factor.remember_device_at_login, dispatch_uid="security_otp")
        user_logged_in.connect(sessions.mark_seen_at_login, dispatch_uid="security_seen")
