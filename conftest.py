"""Fixtures shared by every app's tests."""

import os

import pytest

from innovation_centre.celery import app as celery_app

USING_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql", "pgsql"))
requires_postgres = pytest.mark.skipif(
    not USING_POSTGRES,
    reason="needs PostgreSQL (set DATABASE_URL): SQLite cannot lock rows for concurrent writers",
)


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
