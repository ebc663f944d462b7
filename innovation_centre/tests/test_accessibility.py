"""axe-core finds nothing on any page a visitor, a participant or a staff member can open, in
Latvian and English, at desktop (1280 px) and phone (390 px) widths.

Each test opens one kind of page in both languages at both widths; a page that axe faults is
named with its language, width and the failing rules and elements. Pages behind a login get the
session cookie of a user logged in by Django's test client.
"""

import re
from decimal import Decimal
from urllib.parse import urlparse

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from playwright.sync_api import expect

from courses.tests.factories import ProgrammeFactory, SessionFactory, StageFactory
from innovation_centre.security import two_factor
from innovation_centre.tests.accessibility import WIDTHS, axe_violations
from participants import links
from participants.attendance.models import Attendance
from participants.attendance.tests.factories import AttendanceFactory
from participants.certificates import services as certificate_services
from participants.tests.browser import chromium
from participants.tests.factories import ParticipantFactory, RegistrationFactory

pytestmark = pytest.mark.browser

LANGUAGES = ("lv", "en")


@pytest.fixture
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture
def site(transactional_db, live_server, settings):
    """A programme with a stage, a confirmed participant with a certificate, one awaiting
    confirmation, and the paths of their personal pages."""
    settings.SITE_URL = live_server.url
    programme = ProgrammeFactory(
        approval_reference="VISC apstiprinājums Nr. 2021/17",
        signatory_name="Jānis Bērziņš",
        signatory_title_lv="Daugavpils Inovāciju centra vadītājs",
        signatory_title_en="Head of the Daugavpils Innovation Centre",
    )
    stage = StageFactory(
        programme=programme,
        title_lv="Eksaktās zinātnes un kompetenču pieeja",
        title_en="Exact sciences and the competence-based approach",
        planned_academic_hours=Decimal("12"),
    )
    sessions = [SessionFactory(stage=stage) for _ in range(3)]
    holder = ParticipantFactory(first_name="Ģirts", last_name="Ķēniņš")
    registration = RegistrationFactory(participant=holder, stage=stage, confirmed=True)
    for session in sessions:
        AttendanceFactory(
            participant=holder,
            session=session,
            status=Attendance.Status.PRESENT,
            minutes_present=180,
        )
    certificate = certificate_services.certificate_issue(
        participant=holder, stage=stage, issued_by=None
    )
    awaiting = RegistrationFactory(stage=stage)
    cancelled = RegistrationFactory(stage=stage, cancelled=True)
    manage = path_of(links.manage_url(registration))
    return {
        "stage": stage,
        "manage": manage,
        "cancel": f"{manage}cancel/",
        "cancelled": path_of(links.manage_url(cancelled)),
        "confirm": path_of(links.confirmation_url(awaiting)),
        "certificate": certificate,
    }


def path_of(url):
    """The path of ``url`` without its language prefix."""
    path = urlparse(url).path
    return path.split("/", 2)[2]


def check(browser, live_server, path, *, prepare=None, cookies=(), status=200):
    """axe's violations of ``path`` (``{lang}`` filled in) in each language at each width.

    The page must answer ``status`` itself (no redirect to a login or an error page, which axe
    would then check instead)."""
    faults = []
    for language in LANGUAGES:
        for width_name, viewport in WIDTHS.items():
            context = browser.new_context(
                viewport=viewport,
                locale="lv-LV" if language == "lv" else "en-GB",
                bypass_csp=True,
            )
            context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
                + [dict(cookie, url=live_server.url) for cookie in cookies]
            )
            page = context.new_page()
            url = live_server.url + path.format(lang=language)
            response = page.goto(url)
            assert (response.status, page.url) == (status, url)
            if prepare:
                prepare(page)
            expect(page.locator("html")).to_have_attribute("lang", language)
            faults += [f"{language} {width_name}: {fault}" for fault in axe_violations(page)]
            context.close()
    return faults


def assert_accessible(browser, live_server, path, **options):
    faults = check(browser, live_server, path, **options)
    assert not faults, f"axe-core on {path}:\n" + "\n".join(faults)


# --- public pages -----------------------------------------------------------------------------


PUBLIC_PAGES = {
    "programme": ("/{lang}/", 200),
    "privacy": ("/{lang}/privacy/", 200),
    "404": ("/{lang}/no-such-page/", 404),
    "verify": ("/{lang}/certificates/verify/", 200),
    "not-found": ("/{lang}/certificates/verify/?code=AAAA-BBBB-CCCC-DDDD", 200),
    "bad-code": ("/{lang}/certificates/verify/?code=%3Cb%3E", 200),
    "bad-link": ("/{lang}/manage/not-a-real-link/", 400),
    "new-links": ("/{lang}/links/", 200),
    "new-links-sent": ("/{lang}/links/sent/", 200),
}


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages(browser, live_server, site, name):
    path, status = PUBLIC_PAGES[name]
    assert_accessible(browser, live_server, path, status=status)


def test_stage_page(browser, live_server, site):
    assert_accessible(browser, live_server, f"/{{lang}}/stages/{site['stage'].pk}/")


def submit_empty_form(page):
    """The registration form sent empty (past the browser's own checks): the server's errors."""
    page.evaluate("document.querySelector('main form').noValidate = true")
    page.locator("main form [type=submit]").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()


def test_stage_page_with_the_form_errors(browser, live_server, site):
    assert_accessible(
        browser,
        live_server,
        f"/{{lang}}/stages/{site['stage'].pk}/",
        prepare=submit_empty_form,
    )


def test_registration_sent(browser, live_server, site):
    assert_accessible(browser, live_server, f"/{{lang}}/stages/{site['stage'].pk}/registered/")


def test_certificate_check(browser, live_server, site):
    code = site["certificate"].verification_code
    assert_accessible(browser, live_server, f"/{{lang}}/certificates/verify/{code}/")


# --- personal pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("page_name", ["confirm", "manage", "cancel", "cancelled"])
def test_personal_pages(browser, live_server, site, page_name):
    assert_accessible(browser, live_server, "/{lang}/" + site[page_name])


# --- logins, the second factor and the reports area ------------------------------------------


def session_cookie(user, *, second_factor_done=True):
    """The session cookie of ``user`` logged in (by a test client: no password typed)."""
    client = Client()
    client.force_login(user)  # the root conftest.py completes the second factor too
    if not second_factor_done:
        session = client.session
        session.pop(DEVICE_ID_SESSION_KEY, None)
        session.save()
    return {"name": "sessionid", "value": client.cookies["sessionid"].value}


def coordinator():
    user = get_user_model().objects.create_user("koordinatore", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="Coordinators")[0])
    return user


@pytest.mark.parametrize(
    "path", ["/admin/login/", "/{lang}/reports/login/"], ids=["admin", "reports"]
)
def test_login_pages(browser, live_server, site, path):
    assert_accessible(browser, live_server, path)


def test_login_page_with_a_wrong_password(browser, live_server, site):
    def log_in_wrongly(page):
        page.get_by_label(re.compile("Lietotājvārds|Username")).fill("nobody")
        page.get_by_label(re.compile("Parole|Password")).fill("not the password")
        page.locator("main form [type=submit], #content form [type=submit]").first.click()
        expect(page.locator(".errornote, .alert-danger, .invalid-feedback").first).to_be_visible()

    assert_accessible(browser, live_server, "/{lang}/reports/login/", prepare=log_in_wrongly)


def test_second_factor_setup(browser, live_server, site):
    cookie = session_cookie(coordinator())
    assert_accessible(browser, live_server, "/{lang}/security/two-factor/", cookies=[cookie])


def test_second_factor_code(browser, live_server, site):
    user = coordinator()
    two_factor.totp_device_create_confirmed(user=user)
    cookie = session_cookie(user, second_factor_done=False)
    assert_accessible(browser, live_server, "/{lang}/security/two-factor/code/", cookies=[cookie])


def test_reports_area(browser, live_server, site):
    cookie = session_cookie(coordinator())
    assert_accessible(browser, live_server, "/{lang}/reports/", cookies=[cookie])
