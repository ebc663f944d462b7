"""Fixtures shared by every app's tests."""

import os

import pytest
from django.core.cache import cache

from innovation_centre.celery import app as celery_app

ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
USING_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql", "pgsql"))
requires_postgres = pytest.mark.skipif(
    not USING_POSTGRES,
    reason="needs PostgreSQL (set DATABASE_URL): SQLite cannot lock rows for concurrent writers",
)


def pytest_collection_finish(session):
    """Browser test modules set DJANGO_ALLOW_ASYNC_UNSAFE when imported (for Playwright's event
    loop); left set, it would hold for every later test and the subprocesses they start
    (``manage.py check --deploy`` then fails with async.E001), so whole-suite runs would differ
    from single-file runs. It is given back to the browser tests alone, below."""
    os.environ.pop(ASYNC_UNSAFE, None)


@pytest.fixture(autouse=True)
def _async_unsafe_only_for_browser_tests(request, monkeypatch):
    """Playwright's sync API runs an event loop in the test's thread; Django refuses ORM calls
    there unless DJANGO_ALLOW_ASYNC_UNSAFE is set. Only tests marked ``browser`` get it."""
    if request.node.get_closest_marker("browser"):
        monkeypatch.setenv(ASYNC_UNSAFE, "true")
    else:
        monkeypatch.delenv(ASYNC_UNSAFE, raising=False)


@pytest.fixture(autouse=True)
def _eager_celery():
    """Run tasks in-process unless a test starts a real worker (integration tests)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _latvian_by_default(settings):
    settings.LANGUAGE_CODE = "lv"
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """A cheap hasher for the test users (admin_client, create_superuser, logins).

    PBKDF2's million rounds cost about half a second per password on a CI machine, paid by
    every admin test; what the tests check (login, check_password) works with any hasher.
    Production keeps Django's default.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache, whatever app it is in.

    The public forms' rate limit counts POSTs per address in the cache, and the test client and
    the live server both post from 127.0.0.1: counts left by earlier tests (of any app) would
    otherwise turn a later test's POST into a 429, depending on the order the tests ran in.
    """
    cache.clear()
    yield
    cache.clear()
