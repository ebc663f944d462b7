"""Staff import a Zoom report in the admin, match an unmatched row and save: real headless
Chromium against the live server."""

from datetime import datetime

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect

from courses.tests.factories import SessionFactory
from innovation_centre.staff import PROGRAMME_STAFF
from participants.attendance.models import Attendance
from participants.attendance.tests.zoom_reports import RIGA, Stay, older_report
from participants.attendance.zoom_models import ZoomAlias, ZoomImport
from participants.tests.browser import SCREENSHOTS, chromium
from participants.tests.factories import ParticipantFactory, RegistrationFactory

pytestmark = pytest.mark.browser


def at(hour, minute=0):
    return datetime(2021, 3, 6, hour, minute, tzinfo=RIGA)


@pytest.fixture
def page(live_server):
    with chromium() as browser:
        yield browser.new_page(locale="lv-LV")


def test_staff_import_a_report_match_a_row_and_save(page, live_server, transactional_db, tmp_path):
    staff = User.objects.create_user("lietvede", password="Slepena-parole-42", is_staff=True)
    staff.groups.add(Group.objects.get(name=PROGRAMME_STAFF))
    session = SessionFactory(starts_at=at(10), ends_at=at(13))
    janis = ParticipantFactory(first_name="Jānis", last_name="Bērziņš", email="janis@example.lv")
    liga = ParticipantFactory(first_name="Līga", last_name="Ozola", email="liga@example.lv")
    for person in (janis, liga):
        RegistrationFactory(stage=session.stage, participant=person, confirmed=True)
    report = tmp_path / "participants_81234567890.csv"
    report.write_bytes(
        older_report(
            [
                Stay("Janis Berzins", "", at(9, 55), at(12, 40)),
                Stay("Līgas iPhone", "", at(10, 5), at(12, 55)),
                Stay("Inovāciju centrs", "inovacijas@example.lv", at(9, 40), at(13, 5)),
            ]
        )
    )

    page.goto(f"{live_server.url}/admin/courses/session/{session.pk}/change/")
    page.locator("#id_username").fill("lietvede")
    page.locator("#id_password").fill("Slepena-parole-42")
    page.locator("#id_password").press("Enter")
    page.get_by_role("link", name="Importēt Zoom atskaiti").click()

    expect(page.locator("#id_session")).to_have_value(str(session.pk))
    expect(page.locator("#id_time_zone")).to_have_value("Europe/Riga")
    page.locator("#id_report").set_input_files(str(report))
    page.get_by_role("button", name="Augšupielādēt un pārbaudīt").click()

    matched = page.locator("#zoom-matched tbody tr")
    expect(matched).to_have_count(1)
    expect(matched.first).to_contain_text("Jānis Bērziņš")
    expect(matched.first).to_contain_text("160")
    unmatched = page.locator("#zoom-unmatched tbody tr")
    expect(unmatched).to_have_count(2)
    assert not Attendance.objects.exists()

    page.get_by_label("Kas ir “Līgas iPhone”").select_option(label="Līga Ozola <liga@example.lv>")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "admin_zoom_import_preview.png", full_page=True)
    page.get_by_role("button", name="Saglabāt apmeklējumu").click()

    expect(page.locator("ul.messagelist")).to_contain_text("Zoom atskaite saglabāta: jauni 2")
    rows = {
        row.participant_id: (row.status, row.minutes_present, row.source, row.recorded_by_id)
        for row in Attendance.objects.all()
    }
    assert rows == {
        janis.pk: ("present", 160, "zoom", staff.pk),
        liga.pk: ("present", 170, "zoom", staff.pk),
    }
    saved = ZoomImport.objects.get()
    assert (saved.status, saved.file_name, saved.ignored_count) == (
        "saved",
        "participants_81234567890.csv",
        1,
    )
    assert ZoomAlias.objects.get().participant == liga
