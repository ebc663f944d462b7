"""TOTP second factor: superusers must set it up, staff may; the login then asks for a code."""

import logging
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

PASSWORD = "Pareiza-parole-2026"
SETUP_URL = "/lv/security/two-factor/"
VERIFY_URL = "/lv/security/two-factor/code/"


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(timezone.now(), tick=False)


@pytest.fixture
def superuser():
    return User.objects.create_superuser("vaditajs", "vaditajs@example.lv", PASSWORD)


@pytest.fixture
def staff():
    return User.objects.create_user("darbiniece", password=PASSWORD, is_staff=True)


def log_in(client, user):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert SESSION_KEY in client.session


def code(device):
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def confirmed_device(user):
    return TOTPDevice.objects.create(user=user, name="telefons", confirmed=True)


def test_a_superuser_without_totp_is_sent_to_set_it_up(client, superuser):
    log_in(client, superuser)

    for url in ("/admin/", "/admin/participants/registration/", "/lv/reports/", "/lv/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{SETUP_URL}?next=")

    page = client.get(SETUP_URL + "?next=/admin/")
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    assert "Administratora kontiem" in page.content.decode()


def test_setting_up_with_a_valid_code_opens_the_admin(client, superuser):
    log_in(client, superuser)
    client.get(SETUP_URL)
    device = TOTPDevice.objects.get(user=superuser, confirmed=False)

    response = client.post(SETUP_URL, {"token": code(device), "next": "/admin/"})

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_does_not_confirm_the_device(client, superuser, caplog):
    log_in(client, superuser)
    client.get(SETUP_URL)
    device = TOTPDevice.objects.get(user=superuser, confirmed=False)
    wrong = f"{(int(code(device)) + 1) % 1_000_000:06d}"

    with caplog.at_level(logging.WARNING):
        response = client.post(SETUP_URL, {"token": wrong, "next": "/admin/"})

    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=superuser, confirmed=True).exists()
    assert client.get("/admin/").status_code == 302
    assert any("vaditajs" in r.getMessage() for r in caplog.records if r.levelname == "WARNING")


def test_the_login_asks_for_the_code_and_accepts_a_valid_one(client, superuser):
    device = confirmed_device(superuser)
    log_in(client, superuser)

    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"{VERIFY_URL}?next=")

    response = client.post(VERIFY_URL, {"token": code(device), "next": "/admin/"})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_login_refuses_a_wrong_code(client, superuser, time_machine):
    device = confirmed_device(superuser)
    log_in(client, superuser)
    wrong = f"{(int(code(device)) + 1) % 1_000_000:06d}"

    response = client.post(VERIFY_URL, {"token": wrong, "next": "/admin/"})

    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert client.get("/admin/").status_code == 302
    time_machine.shift(timedelta(seconds=5))  # past the throttle after a wrong code
    assert client.post(VERIFY_URL, {"token": code(device), "next": "/admin/"}).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_staff_with_a_device_are_asked_for_the_code_too(client, staff):
    confirmed_device(staff)
    log_in(client, staff)

    assert client.get("/admin/")["Location"].startswith(VERIFY_URL)


def test_staff_may_work_without_a_device_and_turn_it_on(client, staff):
    log_in(client, staff)
    admin_page = client.get("/admin/")
    assert admin_page.status_code == 200
    assert f'href="{SETUP_URL}"' in admin_page.content.decode()  # the admin's user links

    assert client.get(SETUP_URL).status_code == 200
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    client.post(SETUP_URL, {"token": code(device), "next": "/admin/"})

    assert TOTPDevice.objects.get(user=staff).confirmed
    assert client.get("/admin/").status_code == 200


def test_a_password_alone_cannot_replace_the_device(client, superuser):
    confirmed_device(superuser)
    log_in(client, superuser)

    response = client.get(SETUP_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY_URL)
    assert not TOTPDevice.objects.filter(user=superuser, confirmed=False).exists()


def test_the_next_address_must_be_on_this_site(client, superuser):
    device = confirmed_device(superuser)
    log_in(client, superuser)

    response = client.post(VERIFY_URL, {"token": code(device), "next": "https://evil.example/"})

    assert response["Location"] == "/admin/"


def test_anonymous_visitors_are_sent_to_the_login(client):
    assert client.get(SETUP_URL)["Location"].startswith("/admin/login/")
    assert client.get(VERIFY_URL)["Location"].startswith("/admin/login/")


def test_the_command_gives_a_superuser_a_device(superuser):
    out = StringIO()
    call_command("totp_device", "vaditajs", stdout=out)

    assert TOTPDevice.objects.get(user=superuser).confirmed
    assert "otpauth://totp/" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("totp_device", "vaditajs", stdout=StringIO())
    call_command("totp_device", "vaditajs", "--reset", stdout=StringIO())
    assert TOTPDevice.objects.filter(user=superuser).count() == 1


def test_the_admin_never_shows_a_device_key(admin_client, staff):
    device = confirmed_device(staff)

    config = admin_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/")
    change = admin_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")

    assert config.status_code == 403
    assert device.key not in change.content.decode()


def test_admin_client_sessions_count_as_verified(admin_client):
    assert admin_client.get("/admin/").status_code == 200
