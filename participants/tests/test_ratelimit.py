"""Rate limits per client address: a school gets through, a script does not, and the address
cannot be forged. Counted by django-ratelimit in the cache all web processes share."""

import json
import os
import random
import re
import socket
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
import time_machine
from django.test import RequestFactory
from django.urls import reverse

from conftest import REDIS_URL, requires_redis
from courses.tests.factories import StageFactory
from participants import links
from participants.models import Registration
from participants.ratelimit import client_ip, registration_count
from participants.tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]


def teacher(n, **overrides):
    data = {
        "first_name": "Ilze",
        "last_name": "Bērziņa",
        "email": f"skolotaja{n}@skola.lv",
        "role": "teacher",
        "subjects": ["chemistry"],
        "institution": "Daugavpils Valsts ģimnāzija",
        "municipality": "daugavpils",
        "phone": "+371 20000000",
        "sex": "",
        "language": "lv",
        "consent": "on",
        "website": "",
    }
    return data | overrides


def stage_url(stage, language="lv"):
    with_language = reverse("participants:stage_detail", kwargs={"stage_id": stage.pk})
    return with_language.replace("/lv/", f"/{language}/", 1)


def register(client, stage, n, address="192.0.2.10", **extra):
    return client.post(stage_url(stage), teacher(n), REMOTE_ADDR=address, **extra)


# --- the default limits ----------------------------------------------------------------------


def test_a_whole_school_behind_one_address_can_register(client):
    stage = StageFactory(capacity=40)

    answers = [register(client, stage, n).status_code for n in range(20)]

    assert answers == [302] * 20
    assert Registration.objects.count() == 20


def test_a_flood_from_one_address_is_stopped_well_before_100(client):
    stage = StageFactory(capacity=200)

    answers = []
    for n in range(100):
        answers.append(register(client, stage, n))
        if answers[-1].status_code != 302:
            break

    refused = answers[-1]
    assert refused.status_code == 429
    assert len(answers) <= 50
    assert Registration.objects.count() == len(answers) - 1
    assert int(refused["Retry-After"]) > 0
    assert client.get(stage_url(stage), REMOTE_ADDR="192.0.2.10").status_code == 200  # reading


def test_a_refused_person_keeps_what_they_typed(client, settings):
    settings.REGISTRATION_RATE_LIMITS = ["1/10m"]
    stage = StageFactory()
    register(client, stage, 1)

    refused = client.post(
        stage_url(stage),
        teacher(2, first_name="Jānis", last_name="O'Konors", phone="+371 29999999"),
        REMOTE_ADDR="192.0.2.10",
    )

    page = refused.content.decode()
    assert refused.status_code == 429
    assert "Jūsu reģistrācija vēl nav saglabāta." in page
    assert "Ievadītais ir saglabāts zemāk." in page
    for typed in ('value="Jānis"', 'value="O&#x27;Konors"', 'value="skolotaja2@skola.lv"'):
        assert typed in page
    assert 'value="+371 29999999"' in page
    assert re.search(r'<input[^>]*value="chemistry"[^>]*checked', page)
    assert not Registration.objects.filter(participant__email="skolotaja2@skola.lv").exists()


def test_the_refusal_is_in_english_on_the_english_pages(client, settings):
    settings.REGISTRATION_RATE_LIMITS = ["1/10m"]
    stage = StageFactory()
    register(client, stage, 1)

    refused = client.post(stage_url(stage, "en"), teacher(2), REMOTE_ADDR="192.0.2.10")

    assert refused.status_code == 429
    assert "Your registration has not been saved yet." in refused.content.decode()


# --- what counts -------------------------------------------------------------------------------


def test_refused_attempts_do_not_count(client, settings):
    """A teacher who is refused and tries again does not use up the next window's places."""
    settings.REGISTRATION_RATE_LIMITS = ["1/10m", "2/d"]
    stage = StageFactory()
    address = "192.0.2.10"
    day = 24 * 60 * 60
    # Just after the address's daily window starts (django-ratelimit offsets windows per key),
    # so the 11 minutes below stay inside one daily window and cross a 10-minute one.
    start = 1_900_000_000 // day * day + zlib.crc32(address.encode()) % day + 60

    with time_machine.travel(start, tick=False) as traveller:
        first = register(client, stage, 1, address)
        refused = [register(client, stage, n, address).status_code for n in (2, 3, 4)]
        traveller.shift(11 * 60)
        later = register(client, stage, 5, address)

    assert (first.status_code, refused, later.status_code) == (302, [429] * 3, 302)


def test_a_count_lasts_its_whole_window(client, settings):
    settings.REGISTRATION_RATE_LIMITS = ["1/h"]
    stage = StageFactory()
    address = "192.0.2.10"
    hour = 60 * 60
    start = 1_900_000_000 // hour * hour + zlib.crc32(address.encode()) % hour + 60

    with time_machine.travel(start, tick=False) as traveller:
        register(client, stage, 1, address)
        traveller.shift(50 * 60)  # far beyond a cache's default 5-minute timeout
        later = register(client, stage, 2, address)

    assert later.status_code == 429


def test_invalid_forms_do_not_count(client, settings):
    settings.REGISTRATION_RATE_LIMITS = ["2/10m"]
    stage = StageFactory()
    target = stage_url(stage)

    invalid = [
        client.post(target, teacher(n, email="not-an-address"), REMOTE_ADDR="192.0.2.10")
        for n in range(5)
    ]

    assert [answer.status_code for answer in invalid] == [200] * 5
    assert [register(client, stage, n).status_code for n in range(3)] == [302, 302, 429]


def test_registering_the_same_person_again_does_not_count(client, settings):
    settings.REGISTRATION_RATE_LIMITS = ["2/10m"]
    stage = StageFactory()

    again = [register(client, stage, 1).status_code for _ in range(4)]

    assert again == [302] * 4
    assert [register(client, stage, n).status_code for n in (2, 3)] == [302, 429]


def test_confirming_editing_and_cancelling_do_not_count(client, settings):
    settings.REGISTRATION_RATE_LIMITS = ["2/10m"]
    stage = StageFactory()
    register(client, stage, 1)
    registration = Registration.objects.get()
    confirm = links.make_token(registration, salt=links.CONFIRMATION_SALT)
    manage = links.make_token(registration, salt=links.MANAGE_SALT)
    address = {"REMOTE_ADDR": "192.0.2.10"}

    client.post(reverse("participants:registration_confirm", args=[confirm]), **address)
    details = teacher(1, first_name="Ilona")
    client.post(reverse("participants:registration_manage", args=[manage]), details, **address)
    client.post(reverse("participants:registration_cancel", args=[manage]), **address)

    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert register(client, stage, 2).status_code == 302  # the second of two
    assert register(client, stage, 3).status_code == 429


def test_a_flood_of_personal_link_posts_is_refused_apart_from_registrations(client, settings):
    settings.PERSONAL_LINK_RATE_LIMIT = "3/10m"
    settings.REGISTRATION_RATE_LIMITS = ["1/10m"]
    registration = RegistrationFactory()
    confirm_url = reverse(
        "participants:registration_confirm",
        args=[links.make_token(registration, salt=links.CONFIRMATION_SALT)],
    )

    answers = [client.post(confirm_url, REMOTE_ADDR="192.0.2.10").status_code for _ in range(4)]

    assert answers == [302, 302, 302, 429]
    assert client.get(confirm_url, REMOTE_ADDR="192.0.2.10").status_code == 200
    assert register(client, StageFactory(), 1).status_code == 302  # not counted there


# --- whose address ------------------------------------------------------------------------------


def post(remote_addr, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().post("/", REMOTE_ADDR=remote_addr, **extra)


def test_forwarded_for_from_an_untrusted_client_is_ignored(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    assert client_ip(post("198.51.100.7", "203.0.113.1")) == "198.51.100.7"
    assert client_ip(post("198.51.100.7")) == "198.51.100.7"


@pytest.mark.parametrize(
    ("remote_addr", "forwarded", "client"),
    [
        ("10.0.0.2", "198.51.100.7", "198.51.100.7"),
        # The client wrote 6.6.6.6 itself; the proxy appended the address it saw.
        ("10.0.0.2", "6.6.6.6, 198.51.100.7", "198.51.100.7"),
        # Two proxies of ours: the right-most address that is not one of them.
        ("10.0.0.2", "6.6.6.6, 198.51.100.7, 10.1.2.3", "198.51.100.7"),
        ("10.0.0.2", "198.51.100.7:51234", "198.51.100.7"),
        ("10.0.0.2", "[2001:db8::5]:443", "2001:db8::5"),
        ("10.0.0.2", "garbage, 198.51.100.7", "198.51.100.7"),
        # Nothing usable: count against the proxy (it is the only address known).
        ("10.0.0.2", "", "10.0.0.2"),
        ("10.0.0.2", "10.9.9.9, not-an-address", "10.0.0.2"),
        ("::ffff:198.51.100.7", "", "198.51.100.7"),
        ("", "198.51.100.7", "0.0.0.0"),  # noqa: S104 - an address, not a binding
    ],
)
def test_forwarded_for_from_a_trusted_proxy_is_used(settings, remote_addr, forwarded, client):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    assert client_ip(post(remote_addr, forwarded)) == client


def test_a_forged_forwarded_for_neither_escapes_the_limit_nor_frames_someone(client, settings):
    settings.REGISTRATION_RATE_LIMITS = ["1/10m"]
    settings.TRUSTED_PROXIES = []
    stage = StageFactory()
    attacker = "198.51.100.66"

    first = register(client, stage, 1, attacker, HTTP_X_FORWARDED_FOR="203.0.113.7")
    second = register(client, stage, 2, attacker, HTTP_X_FORWARDED_FOR="203.0.113.8")
    victim = register(client, stage, 3, address="203.0.113.7")

    assert [first.status_code, second.status_code] == [302, 429]
    assert victim.status_code == 302


def test_behind_a_trusted_proxy_each_visitor_has_their_own_count(client, settings):
    settings.REGISTRATION_RATE_LIMITS = ["1/10m"]
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    stage = StageFactory()

    def via_proxy(n, forwarded):
        return register(client, stage, n, address="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert via_proxy(1, "198.51.100.1").status_code == 302
    assert via_proxy(2, "198.51.100.2").status_code == 302
    assert via_proxy(3, "198.51.100.1").status_code == 429
    assert via_proxy(4, "203.0.113.99, 198.51.100.1").status_code == 429  # forged prefix


def test_ipv6_addresses_count_per_64_network(settings):
    settings.REGISTRATION_RATE_LIMITS = ["1/10m"]

    assert registration_count(post("2001:db8:1:2::1")) is None
    assert registration_count(post("2001:db8:1:2:ffff::9")) is not None
    assert registration_count(post("2001:db8:1:3::1")) is None


# --- the shared cache ---------------------------------------------------------------------------


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_cache_being_down_never_loses_a_registration(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    stage = StageFactory()

    assert register(client, stage, 1).status_code == 302
    assert Registration.objects.count() == 1


COUNT_IN_A_PROCESS = """
import json, sys, django
django.setup()
from django.conf import settings
from django.test import RequestFactory
from participants.ratelimit import registration_count
request = RequestFactory().post("/", REMOTE_ADDR=sys.argv[1])
refused = [registration_count(request) is not None for _ in range(int(sys.argv[2]))]
print(json.dumps([settings.CACHES["default"]["BACKEND"], refused]))
"""


def count_in_a_process(cache_url, address, times):
    """What one web process sees: its own interpreter, settings from the environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "innovation_centre.settings",
        "CACHE_URL": cache_url,
        "REGISTRATION_RATE_LIMITS": "3/10m",
    }
    result = subprocess.run(
        [sys.executable, "-c", COUNT_IN_A_PROCESS, address, str(times)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def random_address():
    """A fresh address per run (198.18.0.0/15, for tests), so a shared Redis holds no count."""
    return f"198.{random.randint(18, 19)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


def two_processes_share_the_count(cache_url):
    address = random_address()
    backend, first = count_in_a_process(cache_url, address, 2)
    _backend, second = count_in_a_process(cache_url, address, 2)
    assert first == [False, False]
    assert second == [False, True]  # the fourth registration, whichever process counts it
    return backend


def test_two_web_processes_share_the_development_cache(tmp_path):
    backend = two_processes_share_the_count(f"filecache://{tmp_path}")

    assert backend == "django.core.cache.backends.filebased.FileBasedCache"


@requires_redis
def test_two_web_processes_share_the_count_in_redis():
    backend = two_processes_share_the_count(REDIS_URL)

    assert backend == "innovation_centre.cache.RedisCache"  # Django's, its client kept


SHOW_CACHE = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps([settings.CACHES["default"], settings.TRUSTED_PROXIES]))
"""


def settings_in_a_process(**variables):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("CACHE_URL", "TRUSTED_PROXIES") and not k.startswith("DJANGO")
    }
    env |= {"DJANGO_SETTINGS_MODULE": "innovation_centre.settings", **variables}
    return subprocess.run(
        [sys.executable, "-c", SHOW_CACHE],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_cache_comes_from_cache_url():
    default = settings_in_a_process()
    redis = settings_in_a_process(CACHE_URL="redis://127.0.0.1:6379/1", TRUSTED_PROXIES="::1")

    (default_cache, no_proxies) = json.loads(default.stdout.splitlines()[-1])
    (redis_cache, proxies) = json.loads(redis.stdout.splitlines()[-1])
    assert default_cache["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert default_cache["LOCATION"] == str(BASE_DIR / "var" / "cache")
    assert default_cache["TIMEOUT"] >= 24 * 60 * 60  # a count outlives the longest window
    assert no_proxies == []
    assert redis_cache["BACKEND"] == "innovation_centre.cache.RedisCache"
    assert redis_cache["LOCATION"] == "redis://127.0.0.1:6379/1"
    assert proxies == ["::1"]


def test_a_mistyped_trusted_proxy_stops_start_up():
    result = settings_in_a_process(TRUSTED_PROXIES="10.0.0.0/8,10.0.0.300")

    assert result.returncode != 0
    assert "TRUSTED_PROXIES: '10.0.0.300'" in result.stderr


@pytest.mark.parametrize(
    "cache_url", ["", "redis://127.0.0.1:6379/1", "dbcache://portal_cache", "locmemcache://"]
)
def test_django_ratelimit_accepts_the_shared_caches_only(cache_url):
    """Its system checks refuse a per-process cache (locmem: each gunicorn worker would count
    alone); Redis and the one-machine caches of development are accepted (see settings)."""
    env = {k: v for k, v in os.environ.items() if k != "CACHE_URL" and not k.startswith("DJANGO")}
    env |= {"DJANGO_SETTINGS_MODULE": "innovation_centre.settings"}
    if cache_url:
        env["CACHE_URL"] = cache_url
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    problems = "django_ratelimit" in result.stdout + result.stderr
    assert problems == (cache_url == "locmemcache://"), result.stderr
