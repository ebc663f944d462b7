"""Headless Chromium for the browser tests (the system's /usr/bin/chromium, never a download).

Playwright's sync API runs an event loop in the test's thread; the ORM calls the test makes
there are allowed by the root conftest.py, for tests marked ``browser`` only.
"""

from contextlib import contextmanager

from django.conf import settings
from django.db import connections
from playwright.sync_api import expect, sync_playwright

# A loaded machine (CI, several test runs at once) can take more than Playwright's default
# 5 seconds to answer; the assertions wait on conditions, so a longer limit costs nothing
# when the page is quick.
expect.set_options(timeout=20_000)

SCREENSHOTS = settings.BASE_DIR / "var" / "screenshots"  # gitignored, for people to look at
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
    """Chromium for the duration of the block.

    Inside ``sync_playwright()`` the code runs in another context (Playwright switches
    greenlets), so Django opens a second database connection for the ORM calls made there;
    it is closed on the way out, or PostgreSQL refuses to drop the test database afterwards.
    """
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
            connections.close_all()
