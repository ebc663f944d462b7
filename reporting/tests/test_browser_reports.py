"""In headless Chromium: a coordinator signs in, opens the dashboard, chooses a period and
downloads the progress report in each format."""

import io

import openpyxl
import pypdf
import pytest
from playwright.sync_api import expect

from participants.tests.browser import SCREENSHOTS, chromium
from reporting.tests.report_data import build_report_data, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def browser():
    with chromium() as browser:
        yield browser


def test_a_coordinator_downloads_the_report_in_each_format(browser, live_server, transactional_db):
    build_report_data()
    make_user("koordinatore", group="Coordinators")
    page = browser.new_page(locale="lv-LV", accept_downloads=True)
    page.goto(f"{live_server.url}/lv/reports/")
    expect(page).to_have_url(f"{live_server.url}/lv/reports/login/?next=/lv/reports/")
    page.get_by_label("Lietotājvārds").fill("koordinatore")
    page.get_by_label("Parole").fill("parole-123")
    page.get_by_role("button", name="Pieteikties").click()
    expect(page.get_by_role("heading", name="Atskaites", exact=True)).to_be_visible()

    page.get_by_label("No", exact=True).fill("2025-02-01")
    page.get_by_label("Līdz", exact=True).fill("2025-03-31")
    page.get_by_role("button", name="Rādīt").click()
    expect(page.locator("#period-shown")).to_contain_text("01.02.2025.–31.03.2025.")
    expect(page.locator("#chart-hours")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "reports-dashboard.png", full_page=True)

    files = {}
    for file_format in ("XLSX", "PDF", "CSV"):
        with page.expect_download() as info:
            page.get_by_role("button", name=f"Lejupielādēt {file_format}").click()
        download = info.value
        assert download.suggested_filename == (
            f"progress-report-2025-02-01-2025-03-31.{file_format.lower()}"
        )
        files[file_format] = open(download.path(), "rb").read()

    sheet = openpyxl.load_workbook(io.BytesIO(files["XLSX"]))["Rādītāji"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["people-trained"][5:7] == (2, 3)
    text = " ".join(pypdf.PdfReader(io.BytesIO(files["PDF"])).pages[0].extract_text().split())
    assert "Inovāciju centra izveidošana Daugavpilī" in text
    assert files["CSV"].startswith(b"\xef\xbb\xbf") and b"people-trained;" in files["CSV"]
