"""Fixtures shared by every app's tests."""

import os

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from innovation_centre.celery import app as celery_app

# Property-based tests (hypothesis): "ci" keeps the whole suite quick; HYPOTHESIS_PROFILE=thorough
# tries ten times as many values (a longer local run). Tests that hit the database run each
# example inside a rolled-back savepoint, so the function-scoped fixtures are safe to share.
_HYPOTHESIS_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    "derandomize": False,
}
hypothesis_settings.register_profile("ci", max_examples=100, **_HYPOTHESIS_COMMON)
hypothesis_settings.register_profile("thorough", max_examples=1000, **_HYPOTHESIS_COMMON)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
USING_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql", "pgsql"))
requires_postgres = pytest.mark.skipif(
    not USING_POSTGRES,
    reason="needs PostgreSQL (set DATABASE_URL): SQLite cannot lock rows for concurrent writers",
)
# A Redis server to test against: the cache's if CACHE_URL names one, else the broker's.
REDIS_URL = next(
    (
        os.environ[name]
        for name in ("CACHE_URL", "CELERY_BROKER_URL")
        if os.environ.get(name, "").startswith("redis")
    ),
    None,
)
requires_redis = pytest.mark.skipif(
    REDIS_URL is None,
    reason="needs Redis (set CACHE_URL=redis://... or CELERY_BROKER_URL=redis://...)",
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
def _fresh_cache(settings, tmp_path_factory):
    """Every test starts with an empty cache of its own, whatever app it is in.

    The rate limits count per address in the cache, and the test client and the live server
    both post from 127.0.0.1: counts left by earlier tests (of any app), or by another test run
    on the same machine sharing var/cache/, would otherwise turn a later test's POST into a 429,
    depending on the order the tests ran in. A file cache, like the development default.
    """
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path_factory.mktemp("cache")),
            **settings.LOCAL_CACHE_DEFAULTS,
        }
    }


@pytest.fixture(autouse=True)
def _force_login_completes_the_second_factor(monkeypatch):
    """``client.force_login(user)`` stands for a finished login, second factor included.

    Superusers must use TOTP (innovation_centre/security/two_factor.py): without this, every
    admin test (``admin_client``, ``force_login(admin_user)``) would be sent to the set-up page.
    A superuser, or a user who has a device, gets a confirmed device and a verified session.
    The tests of the login itself log in through the forms instead.
    """
    from django.test import Client

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        from django_otp import DEVICE_ID_SESSION_KEY, user_has_device
        from django_otp.plugins.otp_totp.models import TOTPDevice

        if not (user.is_superuser or user_has_device(user)):
            return
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="tests", confirmed=True)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)
