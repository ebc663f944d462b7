"""Headless Chromium for the browser tests (the system's /usr/bin/chromium, never a download)."""

import os
from contextlib import contextmanager

from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in the test's thread; Django would otherwise refuse
# the ORM calls the test makes there (the live server answers from its own thread).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@contextmanager
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
