"""The Redis cache (``innovation_centre.cache``): Django's, with its Redis client kept."""

import secrets

from conftest import REDIS_URL, requires_redis
from innovation_centre.cache import RedisCache

pytestmark = requires_redis


def redis_cache():
    return RedisCache(REDIS_URL, {"KEY_PREFIX": f"test-cache-{secrets.token_hex(4)}"})


def test_the_client_is_made_once():
    cache = redis_cache()

    assert cache._cache.get_client() is cache._cache.get_client()
    assert cache._cache.get_client(write=True) is cache._cache.get_client("key", write=True)


def test_it_works_as_django_s_redis_cache():
    cache = redis_cache()
    cache.set("page", (b"version", b"placeholder", b"<html>"), 30)

    assert cache.get_many(["page", "missing"]) == {"page": (b"version", b"placeholder", b"<html>")}
    assert cache.add("count", 1, 30) and cache.incr("count", 4) == 5
    cache.delete_many(["page", "count"])
    assert cache.get_many(["page", "count"]) == {}
