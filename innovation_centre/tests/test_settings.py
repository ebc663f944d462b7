"""Settings from the environment: safe development defaults, loud refusal in production."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
CONTRACT = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "EMAIL_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "DEFAULT_FROM_EMAIL",
    "SECURE_SSL_REDIRECT",
    "DJANGO_SETTINGS_MODULE",
)
SHOW_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "DEBUG": s.DEBUG,
    "ENGINE": s.DATABASES["default"]["ENGINE"],
    "NAME": str(s.DATABASES["default"]["NAME"]),
    "BROKER": s.CELERY_BROKER_URL,
    "EMAIL_BACKEND": s.EMAIL_BACKEND,
    "EMAIL_FILE_PATH": str(getattr(s, "EMAIL_FILE_PATH", "")),
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "LANGUAGE_CODE": s.LANGUAGE_CODE,
    "TIME_ZONE": s.TIME_ZONE,
}))
"""


def environment(**values):
    """The test process's environment without the portal's settings (nor test-only switches
    such as DJANGO_ALLOW_ASYNC_UNSAFE, which the browser tests set), plus ``values``."""
    env = {k: v for k, v in os.environ.items() if k not in CONTRACT and not k.startswith("DJANGO")}
    return env | {k: v for k, v in values.items() if v is not None}


def production(tmp_path, **overrides):
    values = {
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "portal.example.lv",
        "SITE_URL": "https://portal.example.lv",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
    }
    return environment(**(values | overrides))


def run(args, env):
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def show_settings(env):
    result = run(
        ["-c", SHOW_SETTINGS], env | {"DJANGO_SETTINGS_MODULE": "innovation_centre.settings"}
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_is_clean_with_production_values(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_stays_clean_behind_a_tls_proxy(tmp_path):
    env = production(tmp_path, SECURE_SSL_REDIRECT="False")
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ssl_redirect_is_on_in_production_and_can_be_switched_off(tmp_path):
    assert show_settings(production(tmp_path))["SECURE_SSL_REDIRECT"] is True
    env = production(tmp_path, SECURE_SSL_REDIRECT="False")
    assert show_settings(env)["SECURE_SSL_REDIRECT"] is False


def test_production_without_secret_key_refuses_to_start(tmp_path):
    env = production(tmp_path)
    del env["SECRET_KEY"]
    result = run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_without_allowed_hosts_refuses_to_start(tmp_path):
    env = production(tmp_path)
    del env["ALLOWED_HOSTS"]
    result = run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_production_without_site_url_refuses_to_start(tmp_path):
    """Otherwise every link in the participants' mail would point at 127.0.0.1."""
    env = production(tmp_path)
    del env["SITE_URL"]
    result = run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "SITE_URL is not set" in result.stderr


def test_development_defaults_need_no_server():
    values = show_settings(environment())
    assert values["DEBUG"] is True
    assert values["ENGINE"] == "django.db.backends.sqlite3"
    assert values["NAME"] == str(BASE_DIR / "var" / "portal.sqlite3")
    assert values["BROKER"].startswith("filesystem://")
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert values["EMAIL_FILE_PATH"] == str(BASE_DIR / "var" / "mail")
    assert (values["LANGUAGE_CODE"], values["TIME_ZONE"]) == ("lv", "Europe/Riga")
    assert values["SECURE_SSL_REDIRECT"] is False


@pytest.mark.parametrize(
    ("variable", "value", "key", "expected"),
    [
        (
            "DATABASE_URL",
            "postgres://u@db.example.lv:5432/portal",
            "ENGINE",
            "django.db.backends.postgresql",
        ),
        ("CELERY_BROKER_URL", "redis://127.0.0.1:6379/2", "BROKER", "redis://127.0.0.1:6379/2"),
        (
            "EMAIL_URL",
            "smtp://mail.example.lv:25",
            "EMAIL_BACKEND",
            "django.core.mail.backends.smtp.EmailBackend",
        ),
    ],
)
def test_servers_come_from_the_environment(variable, value, key, expected):
    assert show_settings(environment(**{variable: value}))[key] == expected


SHOW_LANGUAGE_COOKIE = """
import django
django.setup()
from django.conf import settings as s
print(s.LANGUAGE_COOKIE_SECURE, s.LANGUAGE_COOKIE_HTTPONLY, s.LANGUAGE_COOKIE_SAMESITE)
"""


def language_cookie(env):
    env = env | {"DJANGO_SETTINGS_MODULE": "innovation_centre.settings"}
    result = run(["-c", SHOW_LANGUAGE_COOKIE], env)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_the_language_cookie_is_secure_httponly_and_lax_in_production(tmp_path):
    assert language_cookie(production(tmp_path)) == ["True", "True", "Lax"]


def test_the_language_cookie_works_over_plain_http_in_development():
    assert language_cookie(environment()) == ["False", "True", "Lax"]


@pytest.mark.parametrize("site_url", ["http://portal.example.lv", "HTTP://portal.example.lv/"])
def test_production_refuses_an_http_site_url(tmp_path, site_url):
    """The personal links in the mail would travel, and be opened, unencrypted."""
    result = run(["manage.py", "check"], production(tmp_path, SITE_URL=site_url))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SITE_URL must be an https:// address" in result.stderr


def test_development_accepts_an_http_site_url():
    env = environment(SITE_URL="http://127.0.0.1:8765")
    result = run(["manage.py", "check"], env)
    assert result.returncode == 0, result.stderr
