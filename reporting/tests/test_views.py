"""The reports area: who may open each URL, the period form's bad input, the downloads and the
submitted reports, and a page that runs no script (the site's Content Security Policy)."""

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from reporting.report.models import SubmittedReport
from reporting.report.period import period_resolve
from reporting.report.services import report_submit
from reporting.tests.report_data import PERIOD, make_user

pytestmark = pytest.mark.django_db

PERIOD_QUERY = {"start": "2025-02-01", "end": "2025-03-31"}


@pytest.fixture
def submitted(data, coordinator):
    period = period_resolve(programme=data.programme, start=PERIOD[0], end=PERIOD[1])
    return report_submit(programme=data.programme, period=period, user=coordinator)


def _urls(submitted):
    """(method, url name, args, data) of every URL of the reports area but the login page."""
    return [
        ("get", "reporting:dashboard", [], {}),
        ("get", "reporting:dashboard", [], PERIOD_QUERY),
        ("get", "reporting:download", [], {**PERIOD_QUERY, "format": "csv"}),
        ("post", "reporting:submit", [], {"start": "2025-01-01", "end": "2025-01-31"}),
        ("get", "reporting:submitted_detail", [submitted.pk], {}),
        ("get", "reporting:submitted_download", [submitted.pk, "pdf"], {}),
    ]


USERS = {
    "programme staff": dict(group="Programme staff", staff=True),
    "finance staff": dict(group="Finance staff", staff=True),
    "coordinator": dict(group="Coordinators"),
    "superuser": dict(superuser=True),
}


@pytest.mark.parametrize("language", ["lv", "en"])
@pytest.mark.parametrize("who", ["anonymous", *USERS])
def test_who_may_open_every_reports_url(client, submitted, who, language):
    if who != "anonymous":
        client.force_login(make_user(who.replace(" ", "-"), **USERS[who]))
    for method, name, args, params in _urls(submitted):
        with translation.override(language):
            url = reverse(name, args=args)
        assert url.startswith(f"/{language}/reports/")
        response = getattr(client, method)(url, params)
        if who == "anonymous":
            assert response.status_code == 302, url
            assert response["Location"].startswith(f"/{language}/reports/login/?next="), url
        elif who in ("programme staff", "finance staff"):
            assert response.status_code == 403, url
        elif method == "get":
            assert response.status_code == 200, url
        else:  # a submitted report, then its page
            assert response.status_code == 302, url
            assert response["Location"].startswith(f"/{language}/reports/submitted/"), url
            SubmittedReport.objects.exclude(pk=submitted.pk).delete()


def test_the_login_page_lets_a_coordinator_in(client, data, coordinator):
    response = client.get("/lv/reports/")
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Pieteikšanās atskaišu sadaļā" in page.content.decode()
    assert data.programme.acknowledgement_lv in page.content.decode()
    logged_in = client.post(
        "/lv/reports/login/",
        {"username": "koordinatore", "password": "parole-123", "next": "/lv/reports/"},
        REMOTE_ADDR="127.0.0.9",
    )
    assert logged_in.status_code == 302 and logged_in["Location"] == "/lv/reports/"
    assert client.get("/lv/reports/").status_code == 200


def test_a_deactivated_coordinator_gets_nothing(client, data, coordinator):
    client.force_login(coordinator)
    coordinator.is_active = False
    coordinator.save()
    assert client.get("/lv/reports/").status_code in (302, 403)


def test_the_dashboard(client, data, coordinator):
    client.force_login(coordinator)
    response = client.get("/lv/reports/", PERIOD_QUERY)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script" not in html
    assert "script-src 'none'" in response["Content-Security-Policy"]
    assert data.programme.acknowledgement_lv in html  # the funder's acknowledgement
    assert html.count("<svg") == 5  # hours, role, municipality, headings, sources
    assert html.count('<table class="visually-hidden">') == 5  # each chart's numbers
    assert "Akadēmiskās stundas pa posmiem: plānotās un novadītās" in html
    assert "Skaitļi par periodu 01.02.2025.–31.03.2025." in html
    assert ".." not in html.replace("...", "")
    for file_format in ("XLSX", "PDF", "CSV"):
        assert f"Lejupielādēt {file_format}" in html
    assert "Iesniegt atskaiti par periodu 01.02.2025.–31.03.2025." in html


def test_the_dashboard_in_english(client, data, coordinator):
    client.force_login(coordinator)
    html = client.get("/en/reports/", PERIOD_QUERY).content.decode()
    assert "Academic hours per stage: planned and delivered" in html
    assert data.programme.acknowledgement_en in html


@pytest.mark.parametrize(
    "params, message",
    [
        ({"start": "2025-03-01", "end": "2025-02-01"}, "Perioda beigas ir pirms tā sākuma."),
        ({"start": "2030-01-01", "end": "2030-02-01"}, "ir pilnībā ārpus programmas datumiem"),
        ({"start": "vakar", "end": "2025-02-01"}, "Jāievada derīgs datums."),
        ({"start": "", "end": ""}, "Šis lauks ir nepieciešams."),
    ],
)
@pytest.mark.parametrize("url", ["/lv/reports/", "/lv/reports/download/"])
def test_a_bad_period_gets_a_clear_message_and_no_file(
    client, data, coordinator, params, message, url
):
    client.force_login(coordinator)
    response = client.get(url, {**params, "format": "xlsx"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()


def test_a_bad_format_gets_a_message(client, data, coordinator):
    client.force_login(coordinator)
    response = client.get("/lv/reports/download/", {**PERIOD_QUERY, "format": "exe"})
    assert response.status_code == 400


def test_an_overlapping_period_is_clipped_and_says_so(client, data, coordinator):
    client.force_login(coordinator)
    html = client.get("/lv/reports/", {"start": "2024-06-01", "end": "2025-03-31"}).content.decode()
    assert 'id="period-clipped"' in html
    assert (
        "Pieprasītais periods 01.06.2024.–31.03.2025. ir saīsināts līdz programmas datumiem "
        "(01.01.2025.–31.03.2025.)."
    ) in html


@pytest.mark.parametrize(
    "file_format, content_type, start",
    [
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
        ("pdf", "application/pdf", b"%PDF"),
        ("csv", "text/csv; charset=utf-8", b"\xef\xbb\xbf"),
    ],
)
def test_the_downloads(client, data, coordinator, file_format, content_type, start):
    client.force_login(coordinator)
    response = client.get("/lv/reports/download/", {**PERIOD_QUERY, "format": file_format})
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="progress-report-2025-02-01-2025-03-31.{file_format}"'
    )
    assert response.content.startswith(start)


def test_submitting_freezes_and_lists_the_report(client, data, coordinator):
    client.force_login(coordinator)
    response = client.post("/lv/reports/submit/", PERIOD_QUERY)
    submitted = SubmittedReport.objects.get()
    assert response["Location"] == f"/lv/reports/submitted/{submitted.pk}/"
    assert (submitted.period_start, submitted.period_end) == PERIOD
    assert submitted.submitted_by == coordinator
    page = client.get(response["Location"]).content.decode()
    assert "Pašreizējie skaitļi ir tādi paši kā iesniegtie." in page
    assert "01.02.2025.–31.03.2025." in client.get("/lv/reports/").content.decode()
    again = client.post("/lv/reports/submit/", PERIOD_QUERY)
    assert again.status_code == 400
    assert "Šī perioda atskaite jau ir iesniegta." in again.content.decode()
    assert SubmittedReport.objects.count() == 1


def test_a_submitted_report_shows_later_differences(client, data, submitted, coordinator):
    expenditure = data.headings["A"].expenditures.get(supplier="SIA Gamma")
    expenditure.amount = "10.99"
    expenditure.save()
    client.force_login(coordinator)
    html = client.get(f"/lv/reports/submitted/{submitted.pk}/").content.decode()
    assert "A Personāla izmaksas" in html and "2511,54" in html and "2501,54" in html
    download = client.get(f"/lv/reports/submitted/{submitted.pk}/xlsx/")
    sheet = openpyxl.load_workbook(io.BytesIO(download.content))["Budžeta pozīcijas"]
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True)}
    assert rows["A"][3] == pytest.approx(2501.54)  # as submitted, not the correction


def test_an_unknown_submitted_report_or_format_is_404(client, data, submitted, coordinator):
    client.force_login(coordinator)
    assert client.get("/lv/reports/submitted/999/").status_code == 404
    assert client.get(f"/lv/reports/submitted/{submitted.pk}/docx/").status_code == 404


def test_submitting_needs_post(client, data, coordinator):
    client.force_login(coordinator)
    assert client.get("/lv/reports/submit/", PERIOD_QUERY).status_code == 405
    assert not SubmittedReport.objects.exists()
    assert date(2025, 2, 1) == PERIOD[0]
