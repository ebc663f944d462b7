"""Locust users for ``bench/public_pages.py``: each asks for one page, as fast as it can.

The page is the environment's ``BENCH_PAGE_PATH`` (one locust run per page, so each page's
figures are its own). No think time: 50 users keep 50 requests in flight.
"""

import os

from locust import FastHttpUser, constant, task

PATH = os.environ.get("BENCH_PAGE_PATH", "/bench/minimal/")


class Visitor(FastHttpUser):
    wait_time = constant(0)

    @task
    def page(self):
        self.client.get(PATH, name=PATH)
