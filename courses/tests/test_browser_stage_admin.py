"""A staff member's stage pages in the admin, in headless Chromium at 1280 pixels: the stage with
its sessions inline, and the list of stages with seats taken, capacity and waiting list, fit the
screen without scrolling sideways."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from playwright.sync_api import expect

from courses.models import Session
from courses.tests.factories import SessionFactory, StageFactory
from innovation_centre.staff import PROGRAMME_STAFF
from participants.tests.browser import SCREENSHOTS, chromium

pytestmark = pytest.mark.browser

SCREEN = {"width": 1280, "height": 900}
TOPIC = "Dabaszinātņu eksperimentu demonstrēšanas metodoloģija pamatskolā un vidusskolā"


@pytest.fixture
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture
def stage(transactional_db):
    stage = StageFactory(title_lv="Eksaktās zinātnes un kompetenču pieeja izglītībā")
    for mode in (Session.Mode.ONLINE, Session.Mode.ONSITE, Session.Mode.HYBRID):
        SessionFactory(
            stage=stage,
            mode=mode,
            topic_lv=TOPIC,
            topic_en="Methods of demonstrating science experiments in basic and secondary school",
            trainer="Dr. paed. Ārija Čakste-Ģērķe",
            zoom_url="https://us02web.zoom.us/j/81234567890?pwd=QWxhZGRpbjpvcGVuIHNlc2FtZQ",
            venue="Daugavpils Universitāte, Parādes iela 1, 310. auditorija",
        )
    return stage


def staff_page(browser, live_server):
    """A page of a logged-in member of "Programme staff" (the session cookie of a test client)."""
    user = get_user_model().objects.create_user("programme.staff", is_staff=True)
    user.groups.add(Group.objects.get(name=PROGRAMME_STAFF))
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=SCREEN, locale="lv-LV")
    session = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": session.value, "url": live_server.url}])
    return context.new_page()


def page_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_stage_with_its_sessions_fits_a_1280_pixel_screen(browser, live_server, stage):
    page = staff_page(browser, live_server)
    page.goto(f"{live_server.url}/admin/courses/stage/{stage.pk}/change/")
    expect(page.locator("[name='sessions-0-topic_lv']")).to_have_value(TOPIC)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "admin-stage-1280.png", full_page=True)
    assert page_width(page) <= SCREEN["width"]
    # Every field of every session is there to be typed into, not cut off.
    for name in ("topic_lv", "topic_en", "trainer", "zoom_url", "venue"):
        field = page.locator(f"[name='sessions-0-{name}']")
        box = field.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= SCREEN["width"], name


def test_the_list_of_stages_shows_seats_and_fits_the_screen(browser, live_server, stage):
    page = staff_page(browser, live_server)
    page.goto(f"{live_server.url}/admin/courses/stage/")
    headers = page.locator("#result_list thead th").all_text_contents()
    assert {"Aizņemtās vietas", "Vietu skaits", "Gaidīšanas saraksts"} <= {
        header.strip() for header in headers
    }
    page.screenshot(path=SCREENSHOTS / "admin-stages-1280.png", full_page=True)
    assert page_width(page) <= SCREEN["width"]
