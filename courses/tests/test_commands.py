"""ensure_admin: the first admin account, with a password printed once or taken from the env."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def ensure_admin():
    out = StringIO()
    call_command("ensure_admin", stdout=out)
    return out.getvalue()


def test_random_password_is_printed_once_and_works(monkeypatch):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("ADMIN_USERNAME", raising=False)
    out = ensure_admin()
    password = out.split("Its password: ")[1].split()[0]
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert admin.check_password(password)
    again = ensure_admin()
    assert password not in again
    assert User.objects.count() == 1


def test_password_from_the_environment_is_used_and_never_printed(monkeypatch):
    monkeypatch.setenv("ADMIN_USERNAME", "koordinators")
    monkeypatch.setenv("ADMIN_PASSWORD", "Daugavpils-2021-seed")
    out = ensure_admin()
    assert "Daugavpils-2021-seed" not in out
    assert User.objects.get(username="koordinators").check_password("Daugavpils-2021-seed")


def test_existing_superuser_is_left_alone(monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "another-password-2")
    User.objects.create_superuser("anna", password="first-password-1")
    ensure_admin()
    assert User.objects.count() == 1
    assert User.objects.get().check_password("first-password-1")


def test_plain_user_with_the_admin_name_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("ADMIN_USERNAME", raising=False)
    User.objects.create_user("admin", password="plain-user-pw-1")
    with pytest.raises(CommandError, match="not a superuser"):
        ensure_admin()
