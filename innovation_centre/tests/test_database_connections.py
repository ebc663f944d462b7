"""A web process keeps its PostgreSQL connection from one request to the next (``CONN_MAX_AGE``)
instead of opening a new one for each: PostgreSQL starts a process for every connection, which
cost a registration rush more than a tenth of its time (bench/HISTORY.md, "Registration").

Requests (``/healthz``, which runs ``SELECT 1``) go through Django's own WSGI handler in a
process of its own: the test client would keep the connection anyway (it switches off the
closing between requests).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from conftest import requires_postgres

BASE_DIR = Path(__file__).resolve().parents[2]
pytestmark = [requires_postgres, pytest.mark.postgres, pytest.mark.django_db]

TWO_REQUESTS = """
import io, json, django
django.setup()
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.conf import settings

handler = WSGIHandler()


def backend_during_a_request():
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": "/healthz", "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http", "wsgi.errors": io.StringIO(),
    }
    seen = []
    response = handler(environ, lambda status, headers: seen.append(status))
    pid = connection.connection.info.backend_pid if connection.connection else None
    response.close()  # the end of the request: Django closes the connection if it is too old
    return seen[0], pid, connection.connection is not None


database = settings.DATABASES["default"]
print(json.dumps({
    "requests": [backend_during_a_request() for _ in range(3)],
    "max_age": database["CONN_MAX_AGE"],
    "health_checks": database["CONN_HEALTH_CHECKS"],
}))
"""


@pytest.fixture
def database_url():
    """The test database's URL (the process below only runs ``SELECT 1`` in it)."""
    db = connection.settings_dict
    user = f"{db['USER']}:{db['PASSWORD']}@" if db["PASSWORD"] else f"{db['USER']}@"
    return f"postgres://{user}{db['HOST']}:{db['PORT']}/{db['NAME']}"


def requests_in_a_process(database_url, **variables):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "innovation_centre.settings",
        "DEBUG": "True",
        "DATABASE_URL": database_url,
        **variables,
    }
    result = subprocess.run(
        [sys.executable, "-c", TWO_REQUESTS],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_web_process_keeps_its_database_connection_between_requests(database_url):
    shown = requests_in_a_process(database_url)

    backends = {pid for _status, pid, _open in shown["requests"]}
    assert None not in backends
    assert len(backends) == 1  # one PostgreSQL process served all three requests
    assert all(still_open for _status, _pid, still_open in shown["requests"])
    assert shown["max_age"] == 60
    assert shown["health_checks"] is True


def test_the_connection_age_can_be_set_and_zero_closes_after_each_request(database_url):
    shown = requests_in_a_process(database_url, DATABASE_CONN_MAX_AGE="0")

    backends = {pid for _status, pid, _open in shown["requests"]}
    assert shown["max_age"] == 0
    assert not any(still_open for _status, _pid, still_open in shown["requests"])
    assert None not in backends
    assert len(backends) == 3
