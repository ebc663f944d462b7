"""Create the first admin account if no superuser exists.

The password comes from ADMIN_PASSWORD when set (and is then never printed); otherwise a random
one is generated and printed once.
"""

import os
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


def checked(field_name, check, value):
    """``value`` if ``check(value)`` accepts it; else a CommandError naming the variable."""
    try:
        check(value)
    except ValidationError as error:
        raise CommandError(f"{field_name} is not usable: {' '.join(error.messages)}") from error
    return value


def check_username(username):
    """The checks the admin's user form makes: length and allowed characters (no spaces)."""
    get_user_model()._meta.get_field("username").run_validators(username)


def reset_hint(username):
    """How to set a new password: said every time, as the random one is printed only once."""
    return (
        f"To set a new password for '{username}': .venv/bin/python manage.py changepassword "
        f"{username}"
    )


class Command(BaseCommand):
    help = (
        "Create an admin account if no superuser exists (username from ADMIN_USERNAME, default "
        "'admin'; password from ADMIN_PASSWORD, or a random one printed once)."
    )

    def handle(self, *args, **options):
        User = get_user_model()
        existing = User.objects.filter(is_superuser=True).order_by("pk").first()
        if existing is not None:
            self.stdout.write(
                f"An admin account exists already ('{existing.get_username()}'); nothing changed."
            )
            self.stdout.write(reset_hint(existing.get_username()))
            return
        username = os.environ.get("ADMIN_USERNAME", "").strip() or "admin"
        checked("ADMIN_USERNAME", check_username, username)
        if User.objects.filter(username=username).exists():
            raise CommandError(
                f"A user '{username}' exists but is not a superuser; set ADMIN_USERNAME to "
                "another name or make that user a superuser with `manage.py createsuperuser`."
            )
        given = os.environ.get("ADMIN_PASSWORD", "")
        if given:
            checked("ADMIN_PASSWORD", validate_password, given)
        password = given or secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(self.style.SUCCESS(f"Created the admin account '{username}'."))
        if given:
            self.stdout.write("Its password is the one in ADMIN_PASSWORD.")
        else:
            self.stdout.write(f"Its password: {password}\nKeep it now: it is shown only once.")
        self.stdout.write(reset_hint(username))
