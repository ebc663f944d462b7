"""The portal as the README deploys it: ``collectstatic`` with production settings, then pages
served with DEBUG=False from the manifest (fingerprinted names) that it wrote."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from courses.tests.factories import ProgrammeFactory, StageFactory

BASE_DIR = Path(__file__).resolve().parents[2]
PORTAL_SETTINGS = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "DATABASE_URL",
    "STATIC_ROOT",
)
MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory):
    """``manage.py collectstatic --noinput`` with production values, into a folder of its own."""
    static_root = tmp_path_factory.mktemp("staticfiles")
    env = {k: v for k, v in os.environ.items() if k not in PORTAL_SETTINGS}
    env |= {
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "portal.example.lv",
        "SITE_URL": "https://portal.example.lv",
        "DATABASE_URL": f"sqlite:///{static_root.parent / 'unused.sqlite3'}",
        "STATIC_ROOT": str(static_root),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return static_root


def test_collectstatic_passes_with_production_settings(collected_static):
    assert (collected_static / "staticfiles.json").is_file()
    assert list(collected_static.glob("vendor/bootstrap/bootstrap.min.*.css"))


@pytest.fixture
def production_static(settings, collected_static):
    settings.DEBUG = False
    settings.STATIC_ROOT = collected_static
    settings.STORAGES = settings.STORAGES | {"staticfiles": {"BACKEND": MANIFEST_STORAGE}}
    return Client(raise_request_exception=False)  # a new handler: whitenoise reads STATIC_ROOT


@pytest.fixture
def stage(db):
    return StageFactory(programme=ProgrammeFactory())


FINGERPRINTED_CSS = re.compile(
    r'href="(/static/vendor/bootstrap/bootstrap\.min\.[0-9a-f]{12}\.css)"'
)


@pytest.mark.parametrize(
    "url",
    ["/lv/", "/en/", "/lv/stages/{stage}/", "/en/stages/{stage}/", "/lv/privacy/", "/en/privacy/"],
)
def test_public_pages_are_served_with_the_manifest(production_static, stage, url):
    response = production_static.get(url.format(stage=stage.pk))
    assert response.status_code == 200
    stylesheet = FINGERPRINTED_CSS.search(response.content.decode())
    assert stylesheet, "the page does not link the fingerprinted Bootstrap stylesheet"
    css = production_static.get(stylesheet[1])
    assert css.status_code == 200
    assert b"sourceMappingURL" not in b"".join(css.streaming_content)


def test_the_registration_form_is_on_the_stage_page(production_static, stage):
    response = production_static.get(f"/lv/stages/{stage.pk}/")
    assert response.status_code == 200
    assert 'name="email"' in response.content.decode()


def test_the_admin_login_is_served_with_the_manifest(production_static, db):
    response = production_static.get("/admin/login/")
    assert response.status_code == 200
    assert re.search(r"/static/admin/css/base\.[0-9a-f]{12}\.css", response.content.decode())


def test_the_root_redirects_to_latvian(production_static, db):
    response = production_static.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/lv/"


def test_error_pages_are_served_with_the_manifest(production_static, stage):
    response = production_static.get("/lv/no-such-page/")
    assert response.status_code == 404
    assert FINGERPRINTED_CSS.search(response.content.decode())
