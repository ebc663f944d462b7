"""A teacher who uses only the keyboard registers, confirms and cancels, in headless Chromium.

Only Tab, Shift+Tab, Space and Enter are pressed, and text is typed into whatever has the focus
(a select takes typed letters, as in any browser); nothing is clicked or filled by selector.
Every element the focus reaches must be visible and show that it has the focus.
"""

import re

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from courses.tests.factories import SessionFactory, StageFactory
from participants.models import Registration
from participants.tests.browser import chromium

pytestmark = pytest.mark.browser

MAX_TABS = 60
# What the focused element is: its name for form fields, else its text.
FOCUSED = """() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    const box = element.getBoundingClientRect();
    return {
        tag: element.tagName.toLowerCase(),
        name: element.name || "",
        value: element.value || "",
        text: (element.innerText || element.value || "").trim(),
        visible: box.width > 0 && box.height > 0 && style.visibility !== "hidden",
        indicated: (style.outlineStyle !== "none" && style.outlineWidth !== "0px")
            || style.boxShadow !== "none",
    };
}"""


def lv(text):
    with translation.override("lv"):
        return gettext(text)


@pytest.fixture
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture
def stage(transactional_db, live_server, settings):
    settings.SITE_URL = live_server.url  # links in the mails point at the live server
    stage = StageFactory(title_lv="Eksaktās zinātnes un kompetenču pieeja")
    SessionFactory(stage=stage, topic_lv="Ievadnodarbība: ķīmija un fizika")
    return stage


def focused(page):
    return page.evaluate(FOCUSED)


def tab_to(page, matches, *, backwards=False):
    """Press Tab (Shift+Tab) until the focused element ``matches``; each stop on the way must
    be visible and show its focus."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        element = focused(page)
        if element["tag"] == "body":
            continue
        assert element["visible"], f"the focus is on something hidden: {element}"
        assert element["indicated"], f"the focus is not shown: {element}"
        if matches(element):
            return element
    pytest.fail(f"{key} never reached the element wanted")


def named(name, value=None):
    return lambda element: element["name"] == name and (value is None or element["value"] == value)


def saying(text):
    return lambda element: element["text"] == text


def type_into(page, name, text):
    tab_to(page, named(name))
    page.keyboard.type(text)


def test_register_confirm_and_cancel_with_the_keyboard_alone(browser, live_server, stage):
    page = browser.new_page(locale="lv-LV")
    page.goto(f"{live_server.url}/lv/stages/{stage.pk}/")

    type_into(page, "first_name", "Ilze")
    type_into(page, "last_name", "Ābele")
    type_into(page, "email", "ilze.abele@example.lv")
    type_into(page, "phone", "+371 20000000")
    tab_to(page, named("role"))
    page.keyboard.type(lv("Teacher"))  # a select takes the typed letters
    tab_to(page, named("subjects", "chemistry"))
    page.keyboard.press("Space")
    type_into(page, "institution", "Daugavpils Valsts ģimnāzija")
    tab_to(page, named("municipality"))
    page.keyboard.type("Daugavpils")
    # Back to the last name by Shift+Tab to put it right (the focus selects what is there, so
    # typing replaces it), then forward again.
    tab_to(page, named("last_name"), backwards=True)
    page.keyboard.type("Ābele-Kalniņa")
    tab_to(page, named("consent"))
    page.keyboard.press("Space")
    tab_to(page, named("register"))
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server.url}/lv/stages/{stage.pk}/registered/")
    registration = Registration.objects.get()
    participant = registration.participant
    assert (participant.first_name, participant.last_name) == ("Ilze", "Ābele-Kalniņa")
    assert participant.role == "teacher"
    assert participant.subjects == ["chemistry"]
    assert participant.municipality == "daugavpils"

    (message,) = mail.outbox
    page.goto(re.search(r"https?://\S+/lv/confirm/[^/\s]+/", message.body).group(0))
    tab_to(page, saying(lv("Confirm my registration")))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/lv/manage/[^/]+/\?confirmed=1$"))
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED

    tab_to(page, saying(lv("Cancel my registration…")))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/lv/manage/[^/]+/cancel/$"))
    tab_to(page, saying(lv("Yes, cancel my registration")))
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"/lv/manage/[^/]+/$"))
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
