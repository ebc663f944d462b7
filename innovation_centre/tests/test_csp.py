"""The public pages carry a strict Content Security Policy; the admin keeps its own scripts."""

import os

import pytest

from courses.tests.factories import StageFactory
from participants.tests.browser import chromium

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/lv/", "/en/", "/lv/privacy/", "/lv/manage/x/"])
def test_public_pages_allow_no_script_and_no_foreign_source(client, path):
    StageFactory()

    policy = client.get(path)["Content-Security-Policy"]

    assert "default-src 'self'" in policy
    assert "script-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy


def test_the_admin_is_left_to_its_own_scripts(admin_client):
    assert "Content-Security-Policy" not in admin_client.get("/admin/")


@pytest.mark.browser
def test_the_registration_page_breaks_no_rule_of_the_policy(live_server):
    stage = StageFactory()
    violations = []
    with chromium() as browser:
        page = browser.new_page()
        page.on("console", lambda message: violations.append(message.text))
        page.goto(f"{live_server.url}/lv/stages/{stage.pk}/")
        page.click("text=Reģistrēties >> nth=-1")  # the form's button, with every field empty
        page.wait_for_selector("#error-summary")
        styled = page.eval_on_selector("#id_email", "e => getComputedStyle(e).borderColor")

    assert not [text for text in violations if "Content Security Policy" in text]
    assert styled != "rgb(0, 0, 0)"  # the stylesheet loaded
