"""The portal's settings for benchmarks: the same, plus a minimal view to measure against."""

from innovation_centre.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
