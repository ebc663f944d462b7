"""GET /healthz: 200 with the database and broker status, 503 when either is down."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from innovation_centre.celery import app as celery_app

BASE_DIR = Path(__file__).resolve().parents[2]
USING_REDIS = os.environ.get("CELERY_BROKER_URL", "").startswith("redis")


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def broker(monkeypatch):
    """Point the Celery app at another broker for one test."""

    def use(url, **transport_options):
        monkeypatch.delenv("CELERY_BROKER_URL", raising=False)  # Celery prefers it to its conf
        monkeypatch.setitem(celery_app.conf, "broker_url", url)
        monkeypatch.setitem(celery_app.conf, "broker_transport_options", transport_options)

    return use


@pytest.mark.django_db
def test_up_with_the_filesystem_broker(client, broker, tmp_path):
    broker(
        "filesystem://",
        data_folder_in=str(tmp_path),
        data_folder_out=str(tmp_path),
        processed_folder=str(tmp_path),
    )
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.skipif(not USING_REDIS, reason="needs Redis (set CELERY_BROKER_URL=redis://...)")
def test_up_with_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "ok"


@pytest.mark.django_db
def test_broker_down_is_503(client, broker):
    broker(f"redis://127.0.0.1:{closed_port()}/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "down", "status": "down"}


def healthz_in_a_process(database_url):
    code = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "r = Client().get('/healthz', HTTP_HOST='localhost')\n"
        "print(json.dumps([r.status_code, json.loads(r.content)]))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env |= {"DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "innovation_centre.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "database_url",
    [
        "postgres://postgres@127.0.0.1:{port}/portal",
        "sqlite:////nonexistent-folder-for-healthz/portal.sqlite3",
    ],
)
def test_database_down_is_503(database_url):
    status, body = healthz_in_a_process(database_url.format(port=closed_port()))
    assert status == 503
    assert body == {"database": "down", "broker": "ok", "status": "down"}


def test_only_get_is_allowed(client):
    assert client.post("/healthz").status_code == 405
