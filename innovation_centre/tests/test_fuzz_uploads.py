"""Property-based tests (hypothesis): hostile files and values in the admin's uploads (the Zoom
participant report, an expenditure's scan) are refused with a message or imported correctly,
never a 500 and never a half-written record."""

import os
from datetime import datetime

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import example, given, settings
from hypothesis import strategies as st

from courses.tests.factories import SessionFactory
from innovation_centre.tests.hostile import FRAGMENTS, examples, fresh_example, hostile_text
from innovation_centre.tests.test_fuzz_public import assert_no_server_error
from participants.attendance.models import Attendance
from participants.attendance.tests.zoom_reports import RIGA, Stay, newer_report, older_report
from participants.attendance.zoom_models import ZoomImport
from participants.tests.factories import ParticipantFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def at(hour, minute=0):
    return datetime(2021, 3, 6, hour, minute, tzinfo=RIGA)


@pytest.fixture
def admin_client():
    user = User.objects.create_superuser("fuzz-admin", "fuzz@example.lv", "x")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def session():
    session = SessionFactory(starts_at=at(10), ends_at=at(13))
    RegistrationFactory(
        stage=session.stage,
        confirmed=True,
        participant=ParticipantFactory(first_name="Jānis", last_name="Bērziņš", email="j@x.lv"),
    )
    return session


# --- the Zoom participant report -----------------------------------------------------------------
hostile_bytes = st.one_of(
    st.binary(max_size=2000),
    hostile_text.map(lambda text: text.encode("utf-8")),
    hostile_text.map(lambda text: text.encode("utf-16")),
    st.sampled_from(FRAGMENTS).map(lambda text: ("Name,Email,Duration\n" + text).encode()),
)


@st.composite
def zoom_reports(draw):
    """A report as Zoom writes it with hostile names, e-mails and times, or any bytes at all."""
    stays = draw(
        st.lists(
            st.builds(
                Stay,
                name=hostile_text.map(lambda name: name[:300]),
                email=st.one_of(st.just("j@x.lv"), hostile_text.map(lambda email: email[:300])),
                joined=st.sampled_from([at(9, 55), at(10), at(12), at(14)]),
                left=st.sampled_from([at(10, 30), at(13), at(13, 5)]),
                guest=st.booleans(),
            ),
            min_size=1,
            max_size=4,
        )
    )
    layout = draw(st.sampled_from([older_report, newer_report]))
    try:
        content = layout(stays)
    except ValueError:
        content = b""
    return draw(st.one_of(st.just(content), hostile_bytes, st.just(content[: len(content) // 2])))


def upload_name(name):
    """A file name a client can send: Django's test client (like a browser) cannot send one
    without a last path part ("", "/", "a/..")."""
    name = name[:200]
    return "x" if os.path.basename(name) in {"", ".", ".."} else name


@settings(max_examples=examples(60))
@given(
    content=zoom_reports(),
    name=st.one_of(st.just("report.csv"), hostile_text.filter(lambda n: "\x00" not in n)),
    time_zone=st.one_of(st.just("Europe/Riga"), hostile_text),
    session_value=st.one_of(st.none(), hostile_text),
)
@example(
    content=older_report([Stay("Jānis Bērziņš", "j@x.lv", at(10), at(13))]),
    name="report.csv",
    time_zone="Europe/Riga",
    session_value=None,
)  # the control: a good report goes to the preview
@example(
    content=older_report([Stay("Jānis Bērziņš", "j@x.lv", at(10), at(13))]),
    name="/",  # no file name left once the path is taken off (found in CI)
    time_zone="Europe/Riga",
    session_value=None,
)
def test_zoom_upload_previews_or_refuses(
    admin_client, session, content, name, time_zone, session_value
):
    with fresh_example():
        imports = ZoomImport.objects.count()
        attendance = Attendance.objects.count()

        response = admin_client.post(
            "/admin/participants/zoomimport/add/",
            {
                "session": session.pk if session_value is None else session_value,
                "time_zone": time_zone,
                "report": SimpleUploadedFile(upload_name(name), content, "text/csv"),
            },
        )

        assert_no_server_error(response)
        assert Attendance.objects.count() == attendance  # saved only after the preview
        if response.status_code == 302:
            assert ZoomImport.objects.count() == imports + 1
            preview = admin_client.get(response["Location"])
            assert_no_server_error(preview)
            assert preview.status_code == 200
        else:
            assert response.status_code == 200
            assert response.context["form"].errors
            assert ZoomImport.objects.count() == imports


@pytest.fixture
def preview_url(admin_client, session):
    """An uploaded report waiting for staff's matches: one person matched, one not."""
    report = older_report(
        [
            Stay("Jānis Bērziņš", "j@x.lv", at(10), at(13)),
            Stay("Nezināms 📱", "", at(10), at(12)),
        ]
    )
    response = admin_client.post(
        "/admin/participants/zoomimport/add/",
        {
            "session": session.pk,
            "time_zone": "Europe/Riga",
            "report": SimpleUploadedFile("r.csv", report, "text/csv"),
        },
    )
    return response["Location"]


@settings(max_examples=examples(60))
@given(choices=st.dictionaries(hostile_text, st.one_of(hostile_text, st.just("ignore"))))
@example(choices={})  # the control: nothing chosen, the unmatched row is ignored, Jānis saved
def test_zoom_preview_with_any_matches_saves_all_or_nothing(admin_client, preview_url, choices):
    with fresh_example():
        response = admin_client.post(preview_url, choices)

        assert_no_server_error(response)
        saved = Attendance.objects.count()
        if response.status_code == 302:
            assert saved == 1  # Jānis; the other row ignored or not matched
        else:
            assert saved == 0


# --- an expenditure's scan -----------------------------------------------------------------------
SIGNATURES = [b"%PDF-1.4\n", b"\xff\xd8\xff\xe0", b"\x89PNG\r\n\x1a\n", b"MZ", b"<html>", b""]


@pytest.fixture
def heading(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from reporting.tests.budget_factories import BudgetHeadingFactory

    return BudgetHeadingFactory(planned_amount="100000.00")


@settings(max_examples=examples(120))
@given(
    head=st.sampled_from(SIGNATURES),
    body=st.binary(max_size=500),
    name=st.one_of(
        st.tuples(hostile_text, st.sampled_from([".pdf", ".jpg", ".png", ".exe", ""])).map("".join),
        st.sampled_from(["scan.pdf", "../../etc/passwd.pdf", "a\x00.pdf", "ā😀.PNG"]),
    ),
    text=st.dictionaries(
        st.sampled_from(["supplier", "document_number", "note", "amount", "date", "heading"]),
        hostile_text,
        max_size=3,
    ),
)
def test_expenditure_scan_upload_saves_all_or_nothing(
    admin_client, heading, head, body, name, text
):
    from reporting.budget.models import Expenditure

    data = {
        "heading": heading.pk,
        "date": "15.04.2021",
        "amount": "120,50",
        "supplier": "SIA Piegādātājs",
        "document_number": "R-1",
        "eligible": "on",
        "note": "",
        "scan": SimpleUploadedFile(name[:150] or "x", head + body),
    } | text
    with fresh_example():
        before = Expenditure.objects.count()

        response = admin_client.post("/admin/reporting/expenditure/add/", data)

        assert_no_server_error(response)
        if response.status_code == 302:
            assert Expenditure.objects.count() == before + 1
            stored = Expenditure.objects.latest("pk")
            assert stored.scan.name.endswith((".pdf", ".jpg", ".jpeg", ".png"))
            assert "\x00" not in stored.supplier + stored.document_number + stored.note
        else:
            assert response.status_code == 200
            assert Expenditure.objects.count() == before
