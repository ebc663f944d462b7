"""The public pages in real headless Chromium: English, a closed stage, the stylesheets really
applied, and the sessions on a 390-pixel-wide phone, by keyboard too."""

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from courses.models import Session
from courses.tests.factories import SessionFactory, StageFactory, riga
from participants.tests.browser import SCREENSHOTS, chromium

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def lv(text):
    with translation.override("lv"):
        translated = gettext(text)
    assert translated != text, f"no Latvian translation for {text!r}"
    return translated


@pytest.fixture
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture
def open_stage(transactional_db):
    stage = StageFactory(
        title_lv="Eksaktās zinātnes un kompetenču pieeja",
        title_en="Exact sciences and the competence-based approach",
    )
    SessionFactory(
        stage=stage,
        topic_lv="Dabaszinātņu eksperimentu demonstrēšanas metodoloģija pamatskolā",
        topic_en="Methods of demonstrating science experiments in basic school",
    )
    SessionFactory(
        stage=stage,
        mode=Session.Mode.HYBRID,
        topic_lv="Norvēģijas partneru pieredze: inovāciju centri izglītībā",
        topic_en="The Norwegian partners' experience: innovation centres in education",
    )
    return stage


# --- English ----------------------------------------------------------------------------------


def test_the_programme_and_a_stage_in_english(browser, live_server, open_stage):
    page = browser.new_page(locale="en-GB")
    page.goto(f"{live_server.url}/en/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(open_stage.programme.title_en)
    expect(page.locator("footer")).to_contain_text(open_stage.programme.acknowledgement_en)
    expect(page.locator(".stage-facts").first).to_contain_text("Seats left")
    page.get_by_role("link", name=open_stage.title_en).first.click()

    expect(page).to_have_url(f"{live_server.url}/en/stages/{open_stage.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(open_stage.title_en)
    expect(page.locator(".session-list")).to_contain_text(
        "Methods of demonstrating science experiments in basic school"
    )
    expect(page.locator(".session-list")).to_contain_text("hybrid")
    expect(page.get_by_role("heading", name="Register")).to_be_visible()
    expect(page.get_by_label("First name")).to_be_visible()
    expect(page.get_by_role("button", name="Register")).to_be_visible()
    assert "Reģistrēties" not in page.content()


# --- a closed stage ---------------------------------------------------------------------------


def test_a_stage_that_has_taken_place_says_so_and_offers_no_form(browser, live_server, db):
    stage = StageFactory(
        registration_opens_at=riga(2021, 2, 1, 9), registration_closes_at=riga(2021, 3, 1)
    )
    SessionFactory(stage=stage, starts_at=riga(2021, 3, 6, 10), ends_at=riga(2021, 3, 6, 16))
    page = browser.new_page(locale="lv-LV")
    page.goto(f"{live_server.url}/lv/stages/{stage.pk}/")

    expect(page.locator(".registration-state")).to_contain_text(
        lv("This stage has taken place; registration is closed.")
    )
    expect(page.locator(".registration-refused")).to_be_visible()
    expect(page.locator("form input[name=email]")).to_have_count(0)
    expect(page.get_by_role("button", name=lv("Register"))).to_have_count(0)
    expect(page.locator(".seats-left")).to_have_count(0)


# --- the stylesheets are served and applied ---------------------------------------------------


def style_facts(page):
    """Computed styles that only Bootstrap, only portal.css, or the two together give."""
    return page.evaluate(
        """() => {
            const style = (selector) => getComputedStyle(document.querySelector(selector));
            return {
                container: style("main.container").maxWidth,
                bodyMargin: style("body").margin,
                factsTerm: style(".stage-facts dt").fontWeight,
                linkColour: style(":root").getPropertyValue("--bs-link-color").trim(),
                button: style(".btn-outline-primary").color,
            };
        }"""
    )


APPLIED = {
    "container": "1140px",  # Bootstrap's .container at 1280 px
    "bodyMargin": "0px",  # Bootstrap's reboot (browsers give 8px)
    "factsTerm": "600",  # portal.css (Bootstrap's and the browser's <dt> are 700)
    "linkColour": "#0a58ca",  # portal.css's darker link colour for WCAG AA contrast
    "button": "rgb(10, 88, 202)",  # Bootstrap's button rule with portal.css's colour
}


def test_the_stylesheets_are_served_and_applied(browser, live_server, open_stage):
    page = browser.new_page(viewport=DESKTOP)
    stylesheets = []
    page.on(
        "response",
        lambda response: (
            response.request.resource_type == "stylesheet" and stylesheets.append(response)
        ),
    )
    page.goto(f"{live_server.url}/lv/")
    page.wait_for_load_state("load")

    served = {response.url.rsplit("/", 1)[-1]: response for response in stylesheets}
    assert {"bootstrap.min.css", "portal.css"} <= set(served)
    for response in served.values():
        assert response.status == 200
        assert response.headers["content-type"].startswith("text/css")
    assert style_facts(page) == APPLIED


def test_the_style_check_fails_when_the_stylesheets_are_missing(browser, live_server, open_stage):
    """The check above is not satisfied by the browser's own styles."""
    page = browser.new_page(viewport=DESKTOP)
    page.route("**/*.css", lambda route: route.abort())
    page.goto(f"{live_server.url}/lv/")
    facts = style_facts(page)
    assert all(facts[key] != value for key, value in APPLIED.items())


# --- a 390-pixel-wide phone -------------------------------------------------------------------


def page_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("path", ["/lv/", "/lv/stages/{pk}/", "/en/stages/{pk}/"])
def test_nothing_is_wider_than_a_phone(browser, live_server, open_stage, path):
    page = browser.new_page(viewport=PHONE)
    page.goto(live_server.url + path.format(pk=open_stage.pk))
    expect(page.locator(".session-list").first).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"phone{path.replace('/', '_')}.png", full_page=True)
    assert page_width(page) <= PHONE["width"]
    # Each session is a block of its own, each value headed by its column's name.
    cell = page.locator(".session-list td").first
    assert cell.evaluate("td => getComputedStyle(td).display") == "block"
    label = cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == f'"{lv("Date") if path.startswith("/lv/") else "Date"}: "'


def test_the_sessions_are_reached_by_keyboard_on_a_phone(browser, live_server, open_stage):
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{live_server.url}/lv/stages/{open_stage.pk}/")
    region = page.get_by_role("region", name=f"{lv('Sessions')}: {open_stage.title_lv}")
    expect(region).to_be_visible()
    for _ in range(15):
        page.keyboard.press("Tab")
        if region.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the sessions")
    outline = region.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline != "none"  # the focus is visible
    assert page_width(page) <= PHONE["width"]
