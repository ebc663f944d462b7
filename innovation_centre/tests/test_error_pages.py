"""The portal's own error pages, through the real middleware and handlers with DEBUG=False.

Each is in the site's layout, in the language of the URL's prefix (Latvian without one), with the
funder's acknowledgement; a database outage answers 503 "try again later" with Retry-After.
"""

import os
import socket

import pytest
from django.db import connection
from django.db.utils import OperationalError
from django.test import Client

from courses.seed import PROGRAMME
from courses.tests.factories import ProgrammeFactory, StageFactory

USING_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql", "pgsql"))


@pytest.fixture(autouse=True)
def _production_errors(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "innovation_centre.tests.error_urls"


@pytest.fixture
def client():
    """A client that gets the error page, as a browser would, instead of the exception."""
    return Client(raise_request_exception=False)


@pytest.fixture
def programme(db):
    return ProgrammeFactory()


def page(response):
    return response.content.decode()


def assert_layout(response, *, language, acknowledgement):
    html = page(response)
    assert f'<html lang="{language}">' in html
    assert response["Content-Language"] == language
    assert '<p class="funder-acknowledgement' in html
    assert acknowledgement in html
    assert 'href="/static/vendor/bootstrap/bootstrap.min.css"' in html
    assert f'href="/{language}/"' in html  # back to the programme, in the same language


def test_404_in_latvian(client, programme):
    response = client.get("/lv/no-such-page/")
    assert response.status_code == 404
    assert "Lapa nav atrasta" in page(response)
    assert_layout(response, language="lv", acknowledgement=programme.acknowledgement_lv)


def test_404_in_english(client, programme):
    response = client.get("/en/no-such-page/", HTTP_ACCEPT_LANGUAGE="lv")
    assert response.status_code == 404
    assert "Page not found" in page(response)
    assert "Lapa nav atrasta" not in page(response)
    assert_layout(response, language="en", acknowledgement=programme.acknowledgement_en)


def test_404_without_a_language_prefix_is_latvian(client, programme):
    response = client.get("/no-such-page", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "Lapa nav atrasta" in page(response)
    assert_layout(response, language="lv", acknowledgement=programme.acknowledgement_lv)


def test_404_of_a_missing_stage(client, programme):
    response = client.get("/en/stages/999999/")
    assert response.status_code == 404
    assert "Page not found" in page(response)


def test_404_without_a_programme_shows_the_seeded_acknowledgement(client, db):
    response = client.get("/lv/no-such-page/")
    assert response.status_code == 404
    assert_layout(response, language="lv", acknowledgement=PROGRAMME["acknowledgement_lv"])


@pytest.mark.parametrize(
    ("language", "heading"), [("lv", "Piekļuve liegta"), ("en", "Access denied")]
)
def test_403(client, programme, language, heading):
    response = client.get(f"/{language}/test-errors/forbidden/")
    assert response.status_code == 403
    assert heading in page(response)
    acknowledgement = getattr(programme, f"acknowledgement_{language}")
    assert_layout(response, language=language, acknowledgement=acknowledgement)


@pytest.mark.parametrize(
    ("language", "heading"),
    [("lv", "Veidlapu nevarēja pieņemt"), ("en", "The form could not be accepted")],
)
def test_a_form_without_its_csrf_cookie_gets_the_portals_403(programme, language, heading):
    stage = StageFactory(programme=programme)
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    response = client.post(f"/{language}/stages/{stage.pk}/", {"email": "a@example.lv"})
    assert response.status_code == 403
    assert heading in page(response)
    acknowledgement = getattr(programme, f"acknowledgement_{language}")
    assert_layout(response, language=language, acknowledgement=acknowledgement)


@pytest.mark.parametrize(
    ("language", "heading"),
    [("lv", "Pārāk daudz pieprasījumu"), ("en", "Too many requests")],
)
@pytest.mark.parametrize("view", ["too-many", "rate-limited"])
def test_429(client, programme, language, heading, view):
    response = client.post(f"/{language}/test-errors/{view}/")
    assert response.status_code == 429
    assert heading in page(response)
    acknowledgement = getattr(programme, f"acknowledgement_{language}")
    assert_layout(response, language=language, acknowledgement=acknowledgement)


@pytest.mark.parametrize(
    ("url", "language", "heading"),
    [
        ("/lv/", "lv", "Pieprasījumu neizdevās saprast"),
        ("/en/", "en", "The request could not be understood"),
        ("/healthz", "lv", "Pieprasījumu neizdevās saprast"),
    ],
)
def test_400_for_a_host_the_portal_does_not_serve(client, programme, url, language, heading):
    response = client.get(url, HTTP_HOST="portal.example.com")
    assert response.status_code == 400
    assert heading in page(response)
    acknowledgement = getattr(programme, f"acknowledgement_{language}")
    assert_layout(response, language=language, acknowledgement=acknowledgement)


@pytest.mark.parametrize(
    ("language", "heading"), [("lv", "Radās kļūda"), ("en", "Something went wrong")]
)
def test_500_without_asking_the_database(
    client, programme, django_assert_num_queries, language, heading
):
    with django_assert_num_queries(0):
        response = client.get(f"/{language}/test-errors/broken/")
    assert response.status_code == 500
    assert heading in page(response)
    assert "no-store" in response["Cache-Control"]
    acknowledgement = PROGRAMME[f"acknowledgement_{language}"]
    assert_layout(response, language=language, acknowledgement=acknowledgement)


@pytest.fixture
def database_refuses(programme):
    """Every query fails as it does when the database server refuses connections. Undone here,
    not by ``monkeypatch``, which is torn down after the test database's own teardown."""

    def refuse():
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: refused')

    connection.ensure_connection = refuse
    yield
    del connection.ensure_connection


def test_500_when_the_database_is_down_too(client, database_refuses):
    response = client.get("/lv/test-errors/broken/")
    assert response.status_code == 500
    assert "Radās kļūda" in page(response)
    assert_layout(response, language="lv", acknowledgement=PROGRAMME["acknowledgement_lv"])


@pytest.mark.parametrize(
    ("url", "language", "text"),
    [
        ("/lv/", "lv", "Portāls īslaicīgi nav pieejams"),
        ("/en/", "en", "The portal is temporarily unavailable"),
        ("/lv/stages/1/", "lv", "mēģiniet vēlreiz pēc dažām minūtēm"),
        ("/en/privacy/", "en", "Please try again in a few minutes"),
    ],
)
def test_database_outage_is_503_try_again_later(client, database_refuses, url, language, text):
    response = client.get(url)
    assert_outage_page(response, language=language, text=text)


def test_a_missing_page_stays_404_in_an_outage(client, database_refuses):
    response = client.get("/lv/no-such-page/")
    assert response.status_code == 404
    assert "Lapa nav atrasta" in page(response)
    assert_layout(response, language="lv", acknowledgement=PROGRAMME["acknowledgement_lv"])


def test_database_outage_at_the_admin_login_is_503(client, database_refuses):
    response = client.post("/admin/login/", {"username": "staff", "password": "secret"})
    assert_outage_page(response, language="lv", text="Portāls īslaicīgi nav pieejams")


def assert_outage_page(response, *, language, text):
    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    assert "no-store" in response["Cache-Control"]
    assert text in page(response)
    acknowledgement = PROGRAMME[f"acknowledgement_{language}"]
    assert_layout(response, language=language, acknowledgement=acknowledgement)


def test_healthz_keeps_its_json_503_in_an_outage(client, database_refuses):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json()["database"] == "down"


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def postgres_on_a_closed_port(db):
    """The real connection pointed at a port nobody listens on, then given back."""
    port = connection.settings_dict["PORT"]
    connection.settings_dict["PORT"] = str(closed_port())
    connection.close()
    yield
    connection.settings_dict["PORT"] = port
    connection.close()


@pytest.mark.skipif(not USING_POSTGRES, reason="needs PostgreSQL (set DATABASE_URL)")
@pytest.mark.django_db(transaction=True)
def test_postgresql_refusing_connections_is_503(client, postgres_on_a_closed_port):
    response = client.get("/en/")
    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    assert "The portal is temporarily unavailable" in page(response)
    assert_layout(response, language="en", acknowledgement=PROGRAMME["acknowledgement_en"])
