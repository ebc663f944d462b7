import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The rate limit counts in the cache; every test starts with no posts counted."""
    cache.clear()
    yield
    cache.clear()
