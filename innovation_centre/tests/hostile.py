"""Hostile input for the property-based (hypothesis) tests in ``test_fuzz_*.py``.

What a careless or malicious client may send: very long text, control characters, NUL bytes,
right-to-left marks, emoji, Latvian letters, SQL and HTML fragments, and everything in between.
Surrogates are left out: no client can encode them in UTF-8, so they never reach the server.
"""

from contextlib import contextmanager
from urllib.parse import quote

from django.core.cache import cache
from django.db import transaction
from hypothesis import settings
from hypothesis import strategies as st

FRAGMENTS = [
    "\x00",
    "a\x00b",
    "\x01\x02\x1b[31m\x7f",
    "\r\n",
    "\t",
    "\u202e",  # right-to-left override
    "\u200f",  # right-to-left mark
    "\u200b\ufeff",  # zero width space, byte order mark
    "\u0301",  # a lone combining accent
    "😀",
    "👩🏽‍🏫",
    "āčēģīķļņšūž ĀČĒĢĪĶĻŅŠŪŽ",
    "Līga Ērgle-Bērziņa",
    "' OR '1'='1",
    "'; DROP TABLE participants_participant; --",
    '" OR ""="',
    "1; SELECT pg_sleep(10)",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "%(name)s %s %d {0}",
    "../../../../etc/passwd",
    "javascript:alert(1)",
    '=HYPERLINK("http://evil.example")',
    "%00%2e%2e%2f",
    "9" * 40,
    "-1",
    "0",
    "1e309",
    "NaN",
    "",
    " ",
]

# Every code point except surrogates: controls, NUL, format characters, emoji, any script.
any_character = st.characters(exclude_categories=("Cs",))


def _long(piece):
    return st.integers(min_value=200, max_value=20_000).map(lambda n: (piece * n)[:n])


hostile_text = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.text(any_character, max_size=80),
    st.lists(
        st.one_of(st.sampled_from(FRAGMENTS), st.text(any_character, max_size=8)), max_size=6
    ).map("".join),
    st.sampled_from(["x", "ā", "😀", "\x00", "<b>", "' OR 1=1 -- "]).flatmap(_long),
)

# Path segments and query values as a client would put them in a URL.
hostile_path_segment = hostile_text.map(lambda text: quote(text, safe=""))
hostile_query = st.lists(st.tuples(hostile_text, hostile_text), max_size=4).map(
    lambda pairs: "&".join(f"{quote(key, safe='')}={quote(value, safe='')}" for key, value in pairs)
)


def examples(count):
    """``count`` examples in the "ci" profile (100 examples by default), more in "thorough"."""
    return max(1, count * settings.default.max_examples // 100)


@contextmanager
def fresh_example():
    """One hypothesis example: its rows rolled back, the rate-limit counts emptied."""
    cache.clear()
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
