"""A Content Security Policy (django-csp) on every page: no inline script or style anywhere, no
script at all outside the admin, and the admin's own pages work under it in a real browser."""

import os
from datetime import datetime

import pytest
from django.contrib.auth.models import Permission, User
from django_celery_beat.models import CrontabSchedule
from playwright.sync_api import expect

from courses.tests.factories import SessionFactory, StageFactory
from participants.attendance.models import Attendance
from participants.attendance.tests.factories import AttendanceFactory
from participants.attendance.tests.zoom_reports import RIGA, Stay, older_report
from participants.certificates import services as certificate_services
from participants.tests.browser import chromium
from participants.tests.factories import ParticipantFactory, RegistrationFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = pytest.mark.django_db


def directives(response):
    """The policy as {directive: [sources]}."""
    policy = response["Content-Security-Policy"]
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {name: sources for name, *sources in parts}


@pytest.mark.parametrize(
    "path", ["/lv/", "/en/", "/lv/privacy/", "/lv/manage/x/", "/lv/no-such-page/"]
)
def test_public_pages_allow_no_script_and_no_foreign_source(client, path):
    StageFactory()

    policy = directives(client.get(path))

    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'none'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize("path", ["/admin/", "/admin/login/", "/admin/courses/stage/"])
def test_the_admin_runs_only_its_own_scripts(admin_client, path):
    policy = directives(admin_client.get(path))

    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in admin_client.get(path)["Content-Security-Policy"]


def test_the_policy_is_django_csps_from_the_settings(client, settings):
    """Not a hand-written header: a directive added in the settings is served."""
    policy = {**settings.CONTENT_SECURITY_POLICY}
    policy["DIRECTIVES"] = {**policy["DIRECTIVES"], "worker-src": ["'none'"]}
    settings.CONTENT_SECURITY_POLICY = policy

    assert directives(client.get("/lv/"))["worker-src"] == ["'none'"]


def policy_violations(page):
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    return messages


@pytest.mark.browser
def test_the_registration_page_breaks_no_rule_of_the_policy(live_server):
    stage = StageFactory()
    with chromium() as browser:
        page = browser.new_page()
        messages = policy_violations(page)
        page.goto(f"{live_server.url}/lv/stages/{stage.pk}/")
        page.click("text=Reģistrēties >> nth=-1")  # the form's button, with every field empty
        page.wait_for_selector("#error-summary")
        styled = page.eval_on_selector("#id_email", "e => getComputedStyle(e).borderColor")

    assert not [text for text in messages if "Content Security Policy" in text]
    assert styled != "rgb(0, 0, 0)"  # the stylesheet loaded


def at(hour, minute=0):
    return datetime(2021, 3, 6, hour, minute, tzinfo=RIGA)


@pytest.fixture
def admin_pages(transactional_db, tmp_path):
    """A staff member who may do everything (a superuser would be asked for a second factor
    first), a stage with a session and its people, an attendance row and a certificate."""
    staff = User.objects.create_user("lietvede", password="Slepena-parole-42", is_staff=True)
    staff.user_permissions.set(Permission.objects.all())
    session = SessionFactory(starts_at=at(10), ends_at=at(13))
    stage = session.stage
    holder = ParticipantFactory(first_name="Jānis", last_name="Bērziņš", email="janis@example.lv")
    RegistrationFactory(stage=stage, participant=holder, confirmed=True)
    attendance = AttendanceFactory(
        participant=holder, session=session, status=Attendance.Status.PRESENT, minutes_present=180
    )
    stage.completion_threshold_percent = 1
    stage.save(update_fields=["completion_threshold_percent"])
    certificate = certificate_services.certificate_issue(
        participant=holder, stage=stage, issued_by=None
    )
    report = tmp_path / "participants_81234567890.csv"
    report.write_bytes(older_report([Stay("Janis Berzins", "", at(9, 55), at(12, 40))]))
    CrontabSchedule.objects.create(minute="0", hour="18")
    pages = {
        "index": "/admin/",
        "changelist with actions": "/admin/participants/registration/",
        "stage with session inlines": f"/admin/courses/stage/{stage.pk}/change/",
        "session with date widgets": f"/admin/courses/session/{session.pk}/change/",
        "attendance register": f"/admin/participants/sessionattendance/{session.pk}/change/",
        "attendance history": f"/admin/participants/attendance/{attendance.pk}/history/",
        "certificates": "/admin/participants/certificate/",
        "certificate issue": f"/admin/participants/certificate/issue/?stage={stage.pk}",
        "certificate": f"/admin/participants/certificate/{certificate.pk}/change/",
        "certificate revoke": f"/admin/participants/certificate/{certificate.pk}/revoke/",
        "periodic task": "/admin/django_celery_beat/periodictask/add/",
    }
    return pages, session, report


@pytest.mark.browser
def test_the_admin_works_under_the_policy(live_server, admin_pages):
    pages, session, report = admin_pages
    violations = {}
    with chromium() as browser:
        page = browser.new_page(locale="lv-LV")
        messages = policy_violations(page)
        page.goto(f"{live_server.url}/admin/login/")
        page.locator("#id_username").fill("lietvede")
        page.locator("#id_password").fill("Slepena-parole-42")
        page.locator("#id_password").press("Enter")
        expect(page.locator("#user-tools")).to_be_visible()
        for name, path in pages.items():
            messages.clear()
            page.goto(f"{live_server.url}{path}")
            if name == "session with date widgets":
                # The calendar and clock pop-ups are built by the admin's scripts.
                page.locator(".vDateField + .datetimeshortcuts a").nth(1).click()
                expect(page.locator(".calendarbox").first).to_be_visible()
            if name == "periodic task":
                # The crontab in words, from a static script instead of the package's inline one.
                page.locator("#id_crontab").select_option(index=1)
                expect(page.locator(".field-crontab .help")).to_contain_text("Vārdiem: ")
            if name == "changelist with actions":
                page.locator("#action-toggle").check()
                expect(page.locator(".action-counter")).to_contain_text("1")
            violations[name] = [text for text in messages if "Content Security Policy" in text]

        messages.clear()
        page.goto(f"{live_server.url}/admin/participants/zoomimport/add/?session={session.pk}")
        page.locator("#id_report").set_input_files(str(report))
        page.locator("input[type=submit], button[type=submit]").last.click()
        expect(page.locator("#zoom-matched tbody tr")).to_have_count(1)
        violations["zoom import and preview"] = [
            text for text in messages if "Content Security Policy" in text
        ]

    assert violations == {name: [] for name in violations}
