"""Staff confirm registrations in the admin, in real headless Chromium against the live server."""

import pytest
from django.contrib.auth.models import User
from django.utils import translation
from django.utils.translation import ngettext
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from courses.tests.factories import StageFactory
from participants.models import Registration
from participants.tests.browser import SCREENSHOTS, chromium
from participants.tests.factories import ParticipantFactory, RegistrationFactory

pytestmark = pytest.mark.browser
Status = Registration.Status


def confirmed_message(count):
    with translation.override("lv"):
        text = ngettext(
            "Confirmed %(count)d registration.", "Confirmed %(count)d registrations.", count
        )
    return text % {"count": count}


@pytest.fixture
def page(live_server):
    with chromium() as browser:
        yield browser.new_page(locale="lv-LV")


def test_staff_filter_by_status_and_confirm(page, live_server, transactional_db):
    user = User.objects.create_superuser("darbiniece", "staff@example.lv", "Slepena-parole-42")
    device = TOTPDevice.objects.create(user=user, name="telefons", confirmed=True)
    stage = StageFactory(capacity=10)
    awaiting = RegistrationFactory(
        stage=stage, participant=ParticipantFactory(first_name="Ilze", last_name="Ābele")
    )
    waiting = RegistrationFactory(
        stage=stage,
        waiting=True,
        participant=ParticipantFactory(first_name="Oskars", last_name="Ņikiforovs"),
    )

    page.goto(f"{live_server.url}/admin/participants/registration/")
    page.locator("#id_username").fill("darbiniece")
    page.locator("#id_password").fill("Slepena-parole-42")
    page.locator("#id_password").press("Enter")
    # A superuser's login asks for the authenticator app's code (innovation_centre/security/).
    page.locator("#id_token").fill(f"{totp(device.bin_key):06d}")
    page.locator("#id_token").press("Enter")

    with translation.override("lv"):
        waiting_label = str(Status.WAITING_LIST.label)
    page.locator("#changelist-filter").get_by_role("link", name=waiting_label).click()
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Oskars Ņikiforovs")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "admin_registrations.png")

    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option("confirm_registrations")
    page.locator("button[name=index]").click()

    expect(page.locator("ul.messagelist")).to_contain_text(confirmed_message(1))
    assert Registration.objects.get(pk=waiting.pk).status == Status.CONFIRMED
    assert Registration.objects.get(pk=awaiting.pk).status == Status.AWAITING_CONFIRMATION
