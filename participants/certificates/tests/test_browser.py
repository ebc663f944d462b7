"""In headless Chromium: the holder opens the manage link from the certificate mail, downloads
the certificate, and anyone checks it on the public page, typing the code into the form."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from participants.certificates import services
from participants.certificates.tests.conftest import confirmed_participant
from participants.tests.browser import SCREENSHOTS, chromium

pytestmark = pytest.mark.browser


@pytest.fixture
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture
def issued(transactional_db, live_server, settings, stage):
    """A certificate issued and mailed (the outbox sends after the commit)."""
    settings.SITE_URL = live_server.url
    holder = confirmed_participant(stage, sessions=4, first_name="Ģirts", last_name="Ķēniņš")
    return services.certificate_issue(participant=holder, stage=stage, issued_by=None)


def test_the_holder_downloads_the_certificate_from_the_manage_link(browser, live_server, issued):
    (message,) = [m for m in mail.outbox if "apliecība" in m.subject.lower()]
    manage_link = re.search(r"https?://\S+/lv/manage/[^/\s]+/", message.body).group(0)

    page = browser.new_page(locale="lv-LV", accept_downloads=True)
    page.goto(manage_link)
    section = page.locator("#certificate")
    expect(section).to_contain_text(issued.number)
    with page.expect_download() as download_info:
        section.get_by_role("link", name="Lejupielādēt apliecību (PDF)").click()
    download = download_info.value
    content = open(download.path(), "rb").read()
    assert content.startswith(b"%PDF")
    assert download.suggested_filename.endswith(".pdf")
    page.screenshot(path=SCREENSHOTS / "certificate-manage.png", full_page=True)

    # Anyone checks it: types the code from the paper, with dashes, in lower case.
    checker = browser.new_page(locale="lv-LV")
    checker.goto(f"{live_server.url}/lv/certificates/verify/")
    checker.get_by_label("Pārbaudes kods").fill(issued.display_code.lower())
    checker.get_by_role("button", name="Pārbaudīt").click()
    expect(checker.locator("#certificate-status")).to_contain_text("Šī apliecība ir derīga.")
    expect(checker.locator("main")).to_contain_text("Ģirts Ķēniņš")
    checker.screenshot(path=SCREENSHOTS / "certificate-verify.png", full_page=True)

    checker.get_by_role("link", name="Pārbaudīt citu apliecību").click()
    checker.get_by_label("Pārbaudes kods").fill("AAAA-BBBB-CCCC-DDDD")
    checker.keyboard.press("Enter")
    expect(checker.locator("#code-not-found")).to_contain_text("nav atrasta")
