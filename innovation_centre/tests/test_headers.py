"""Pages with personal data are never stored by a cache; oversized bodies are refused unread."""

import socket
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from django.utils import translation

from courses.tests.factories import StageFactory
from innovation_centre.middleware import request_body_limit
from participants import links
from participants.models import Participant
from participants.tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db


def no_store(response):
    return "no-store" in response.get("Cache-Control", "")


@pytest.fixture
def staff_client(client):
    """Staff who may see everything (a superuser would first be asked for a second factor)."""
    staff = User.objects.create_user("lietvede", is_staff=True)
    staff.user_permissions.set(Permission.objects.all())
    client.force_login(staff)
    return client


def test_every_personal_page_is_served_with_no_store(client, staff_client):
    registration = RegistrationFactory(confirmed=True)
    manage = links.make_token(registration, salt=links.MANAGE_SALT)
    confirm = links.make_token(registration, salt=links.CONFIRMATION_SALT)
    anonymous = Client()
    pages = [
        f"/lv/confirm/{confirm}/",
        f"/lv/manage/{manage}/",
        f"/en/manage/{manage}/",
        f"/lv/manage/{manage}/cancel/",
        f"/lv/manage/{manage}/calendar.ics",
        f"/lv/manage/{manage}/personal-data.json",
        f"/lv/certificates/download/{manage}/",
        "/lv/certificates/verify/ABCD-EFGH-JKLM-NPQR/",
        "/lv/reports/",
        "/lv/reports/login/",
    ]
    answers = {path: anonymous.get(path) for path in pages}
    admin_pages = [
        "/admin/",
        "/admin/login/",
        "/admin/participants/registration/",
        f"/admin/participants/registration/{registration.pk}/change/",
        f"/admin/participants/participant/{registration.participant_id}/change/",
    ]
    answers |= {path: staff_client.get(path) for path in admin_pages}

    assert {path: no_store(response) for path, response in answers.items()} == dict.fromkeys(
        answers, True
    )
    assert answers[f"/lv/manage/{manage}/"].status_code == 200
    assert answers[f"/lv/manage/{manage}/calendar.ics"].status_code == 200
    assert answers["/admin/participants/registration/"].status_code == 200


def routes(patterns, namespace=""):
    """(view name, converters) of every route in the URL configuration."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            for name, converters in routes(pattern.url_patterns, inner):
                yield name, {**getattr(pattern.pattern, "converters", {}), **converters}
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", getattr(pattern.pattern, "converters", {})


def test_every_route_of_a_personal_link_or_the_reports_is_served_with_no_store(client):
    """Generated from the URL configuration: a personal route added later is covered too."""
    checked = {}
    with translation.override("lv"):
        for name, converters in routes(get_resolver().url_patterns):
            if "token" not in converters and not name.startswith("reporting:"):
                continue
            kwargs = {
                key: 1 if isinstance(converter, IntConverter) else "x"
                for key, converter in converters.items()
            }
            checked[name] = no_store(client.get(reverse(name, kwargs=kwargs)))

    assert "participants:registration_manage" in checked
    assert "reporting:dashboard" in checked
    assert checked == dict.fromkeys(checked, True)


def test_public_pages_without_personal_data_stay_cacheable(client):
    stage = StageFactory()

    for path in ("/lv/", f"/lv/stages/{stage.pk}/", "/lv/privacy/"):
        assert not no_store(client.get(path))


# --- request bodies ------------------------------------------------------------------------


class Unreadable:
    """A request body that must not be read."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def post_declaring(client, path, length):
    return client.post(
        path,
        data=b"x",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": Unreadable()},
    )


def test_a_public_form_refuses_a_large_body_before_reading_it(client):
    stage = StageFactory()

    response = post_declaring(client, f"/lv/stages/{stage.pk}/", 10 * 1024 * 1024)

    assert response.status_code == 413
    page = response.content.decode()
    assert "Nosūtīts pārāk daudz datu" in page
    assert "128 KB" in page
    assert '<p class="funder-acknowledgement' in page
    assert not Participant.objects.exists()


def test_the_refusal_is_in_the_language_of_the_address(client):
    stage = StageFactory()

    response = post_declaring(client, f"/en/stages/{stage.pk}/", 1024 * 1024)

    assert response.status_code == 413
    assert "Too much data sent" in response.content.decode()


def test_a_real_oversized_registration_is_refused_and_nothing_is_saved(client):
    stage = StageFactory()
    data = {"first_name": "Līga", "last_name": "Ozola", "email": "liga@example.lv"}

    response = client.post(f"/lv/stages/{stage.pk}/", data | {"website": "x" * 200_000})

    assert response.status_code == 413
    assert not Participant.objects.exists()


def test_admin_uploads_have_room_for_their_files(staff_client):
    response = post_declaring(staff_client, "/admin/participants/zoomimport/add/", 7 * 2**20)
    assert response.status_code == 413
    assert "6 MB" in response.content.decode()

    # A 200 KB form is more than a public form may send, but reaches the admin's form.
    response = staff_client.post("/admin/participants/zoomimport/add/", {"x": "y" * 200_000})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("path", "limit"),
    [
        ("/lv/stages/1/", 128 * 1024),
        ("/en/manage/x/", 128 * 1024),
        ("/lv/reports/", 128 * 1024),
        ("/admin/participants/zoomimport/add/", 6 * 2**20),
        ("/admin/reporting/expenditure/add/", 11 * 2**20),
    ],
)
def test_each_path_has_its_limit(path, limit):
    assert request_body_limit(path) == limit


@pytest.mark.parametrize("length", ["", "nonsense", "-5"])
def test_a_missing_or_odd_length_is_not_refused(client, length):
    stage = StageFactory()
    response = client.post(
        f"/lv/stages/{stage.pk}/", data=b"", content_type="text/plain", CONTENT_LENGTH=length
    )
    assert response.status_code == 200


def test_a_server_answers_413_without_waiting_for_a_huge_body(live_server, transactional_db):
    """Over a real socket: headers declaring 1 GB, no body sent; the answer comes at once."""
    stage = StageFactory()
    address = urlsplit(live_server.url)
    with socket.create_connection((address.hostname, address.port), timeout=20) as connection:
        connection.sendall(
            (
                f"POST /lv/stages/{stage.pk}/ HTTP/1.1\r\nHost: {address.netloc}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {2**30}\r\n\r\n"
            ).encode()
        )
        status_line = connection.recv(100).split(b"\r\n")[0]

    assert status_line.endswith(b"413 Request Entity Too Large")
