"""Two teachers and one seat, in real headless Chromium against the live server.

The first teacher registers in Latvian (partly keyboard-only), confirms from the mail and takes
the seat; the second confirms onto the waiting list; the first cancels through the manage link,
and the second is promoted, which her own manage page shows.

Mail: the live server runs in a thread of this process with Django's test (locmem) mail backend,
and Celery tasks run eagerly, so ``mail.outbox`` holds what the server sent.
"""

import re

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from courses.tests.factories import SessionFactory, StageFactory
from participants.models import Registration
from participants.tests.browser import SCREENSHOTS, chromium

pytestmark = pytest.mark.browser

Status = Registration.Status


def lv(text):
    """The Latvian translation of ``text``; the page must show that, not the English source."""
    with translation.override("lv"):
        translated = gettext(text)
    assert translated != text, f"no Latvian translation for {text!r}"
    return translated


def field(page, label):
    """The form field labelled with the Latvian ``label`` (required ones end with "*")."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(lv(label))}\s*\*?\s*$"))


def link_in_mail(message, kind):
    match = re.search(rf"https?://\S+/lv/{kind}/[^/\s]+/", message.body)
    assert match, f"no {kind} link in {message.subject!r}"
    return match.group(0)


def mails_to(address):
    return [message for message in mail.outbox if address in message.to]


@pytest.fixture
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture
def one_seat_stage(transactional_db, live_server, settings):
    settings.SITE_URL = live_server.url  # links in the mails point at the live server
    stage = StageFactory(
        capacity=1,
        title_lv="Eksaktās zinātnes un kompetenču pieeja",
        title_en="Exact sciences and the competence-based approach",
    )
    SessionFactory(stage=stage, topic_lv="Ievadnodarbība: ķīmija un fizika")
    SessionFactory(stage=stage, topic_lv="Norvēģijas partneru pieredze")
    return stage


def register_with_the_keyboard(page, *, first_name, last_name, email):
    """Fill in the form: the names, e-mail and consent by keyboard alone, the rest by pointer."""
    field(page, "First name").focus()
    page.keyboard.type(first_name)
    page.keyboard.press("Tab")
    page.keyboard.type(last_name)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "email"
    page.keyboard.type(email)
    field(page, "Role").select_option("teacher")
    field(page, "chemistry").check()
    field(page, "Institution").fill("Daugavpils Valstspilsētas vidusskola")
    field(page, "Municipality").select_option("daugavpils")
    # From the field before the consent box, Tab reaches the box and Space ticks it.
    page.locator("[name=sex]").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "consent"
    page.keyboard.press("Space")
    expect(page.locator("[name=consent]")).to_be_checked()
    page.get_by_role("button", name=lv("Register")).press("Enter")


def register_by_pointer(page, *, first_name, last_name, email):
    field(page, "First name").fill(first_name)
    field(page, "Last name").fill(last_name)
    field(page, "E-mail").fill(email)
    field(page, "Role").select_option("methodologist")
    field(page, "Institution").fill("Rēzeknes Valsts 1. ģimnāzija")
    field(page, "Municipality").select_option("rezekne")
    page.locator("[name=consent]").check()
    page.get_by_role("button", name=lv("Register")).click()


def confirm_from_mail(page, address):
    [request] = [m for m in mails_to(address) if "/confirm/" in m.body]
    page.goto(link_in_mail(request, "confirm"))
    page.get_by_role("button", name=lv("Confirm my registration")).click()
    expect(page.locator(".registration-status")).to_be_visible()


def test_two_teachers_one_seat_cancel_and_promotion(browser, live_server, one_seat_stage):
    stage = one_seat_stage
    first = browser.new_page(locale="lv-LV")

    # The programme in Latvian, then the stage.
    first.goto(f"{live_server.url}/lv/")
    expect(first.locator("html")).to_have_attribute("lang", "lv")
    expect(first.get_by_role("heading", level=1)).to_have_text(stage.programme.title_lv)
    first.get_by_role("link", name=stage.title_lv).first.click()
    expect(first.get_by_role("heading", level=1)).to_contain_text(stage.title_lv)
    expect(field(first, "First name")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    first.screenshot(path=SCREENSHOTS / "stage_detail.png", full_page=True)

    register_with_the_keyboard(
        first, first_name="Jānis", last_name="Bērziņš-Ļeņins", email="janis@example.lv"
    )
    expect(first.get_by_role("heading", level=1)).to_have_text(lv("Check your e-mail"))

    confirm_from_mail(first, "janis@example.lv")
    expect(first.locator(".registration-status")).to_contain_text(lv("You have a seat."))
    janis = Registration.objects.get(participant__email="janis@example.lv")
    assert janis.status == Status.CONFIRMED
    assert janis.participant.full_name == "Jānis Bērziņš-Ļeņins"

    # A second person, in her own browser session, finds the stage full.
    second = browser.new_context(locale="lv-LV").new_page()
    second.goto(f"{live_server.url}/lv/stages/{stage.pk}/")
    expect(second.locator(".stage-full")).to_be_visible()
    register_by_pointer(second, first_name="Ērika", last_name="Žīgure", email="erika@example.lv")
    expect(second.get_by_role("heading", level=1)).to_have_text(lv("Check your e-mail"))
    confirm_from_mail(second, "erika@example.lv")
    erika = Registration.objects.get(participant__email="erika@example.lv")
    assert erika.status == Status.WAITING_LIST
    erika_manage = link_in_mail(mails_to("erika@example.lv")[-1], "manage")

    # Jānis cancels through the manage link in his mail, answering "yes" on the second step.
    janis_mail = mails_to("janis@example.lv")[-1]
    first.goto(link_in_mail(janis_mail, "manage"))
    first.get_by_role("link", name=lv("Cancel my registration…")).click()
    assert Registration.objects.get(pk=janis.pk).status == Status.CONFIRMED  # asked, not done
    first.get_by_role("button", name=lv("Yes, cancel my registration")).click()
    expect(first.locator(".registration-status")).to_contain_text(lv("cancelled"))
    assert Registration.objects.get(pk=janis.pk).status == Status.CANCELLED

    # Ērika got the freed seat, was told by mail, and her page says so.
    assert Registration.objects.get(pk=erika.pk).status == Status.CONFIRMED
    assert len(mails_to("erika@example.lv")) == 3  # confirm link, waiting list, promoted
    second.goto(erika_manage)
    expect(second.locator(".registration-status")).to_contain_text(lv("You have a seat."))
