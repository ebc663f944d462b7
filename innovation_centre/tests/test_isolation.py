"""The tests do not lean on each other: no state carries over from one test to the next.

The two cache tests each fail when run after the other unless every test starts with an empty
cache, whichever of them runs first (the suite's order can change).
"""

import os

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import RequestFactory

from conftest import ASYNC_UNSAFE
from participants import ratelimit

PROBE = "isolation-probe"

# What the browser test modules do when imported (as the project's notes tell them to).
os.environ[ASYNC_UNSAFE] = "true"


def post_from(address):
    return RequestFactory().post("/", REMOTE_ADDR=address)


@pytest.mark.parametrize("run", ["first", "second"])
def test_every_test_starts_with_an_empty_cache(run):
    assert cache.get(PROBE) is None
    cache.set(PROBE, run, timeout=600)


@pytest.mark.parametrize("run", ["first", "second"])
def test_the_rate_limit_counts_only_this_tests_posts(run, settings):
    settings.REGISTRATION_RATE_LIMITS = ["3/10m"]
    refusals = [ratelimit.registration_count(post_from("127.0.0.1")) for _ in range(4)]
    assert [refusal is None for refusal in refusals] == [True, True, True, False]


def test_async_unsafe_is_not_allowed_outside_the_browser_tests():
    """Browser test modules (and this one, above) set the switch when imported, which every
    whole-suite run does; it must not hold for the other tests, nor for the subprocesses they
    start (``manage.py check --deploy`` fails with async.E001 when it inherits it)."""
    assert ASYNC_UNSAFE not in os.environ


@pytest.mark.browser
def test_a_browser_test_may_call_the_orm_inside_playwrights_event_loop():
    assert os.environ[ASYNC_UNSAFE] == "true"


@pytest.mark.django_db
def test_test_users_get_a_cheap_password_hash():
    user = User.objects.create_user("probe", password="Slepena-parole-42")
    assert user.password.startswith("md5$")
    assert user.check_password("Slepena-parole-42")
