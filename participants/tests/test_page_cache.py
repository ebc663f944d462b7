"""The public programme and stage pages come from the shared cache (``participants.page_cache``):
no query on a repeat visit, yet every change shows on the next request, and nothing of one
visitor reaches another."""

import re
import secrets
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from conftest import REDIS_URL, requires_redis
from courses.tests.factories import SessionFactory, StageFactory
from participants import services
from participants.models import Registration
from participants.tests.factories import RegistrationFactory
from participants.tests.test_views import form_data, url

pytestmark = pytest.mark.django_db
Status = Registration.Status
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def stage():
    stage = StageFactory(capacity=5, title_lv="Eksaktās zinātnes", title_en="Exact sciences")
    SessionFactory(stage=stage, topic_lv="Ievads", topic_en="Introduction")
    return stage


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("language", ["lv", "en"])
def test_a_repeat_visit_reads_nothing_from_the_database(
    stage, client, django_assert_num_queries, language
):
    page(client, url("programme_detail", language=language))
    page(client, url("stage_detail", language=language, stage_id=stage.pk))

    with django_assert_num_queries(0):
        programme = page(Client(), url("programme_detail", language=language))
        stage_page = page(Client(), url("stage_detail", language=language, stage_id=stage.pk))

    title = {"lv": "Eksaktās zinātnes", "en": "Exact sciences"}[language]
    assert title in programme
    assert title in stage_page
    assert 'name="first_name"' in stage_page  # the registration form, from the cache


def test_latvian_and_english_are_kept_apart(stage, client):
    page(client, url("programme_detail", language="lv"))
    page(client, url("stage_detail", language="lv", stage_id=stage.pk))

    english = page(client, url("programme_detail", language="en"))
    english_stage = page(client, url("stage_detail", language="en", stage_id=stage.pk))
    latvian = page(client, url("programme_detail", language="lv"))

    assert "Introduction" in english and "Ievads" not in english
    assert "First name" in english_stage and "Vārds" not in english_stage
    assert "Ievads" in latvian and "Introduction" not in latvian


def test_a_seat_taken_shows_on_the_next_request(stage, client, django_capture_on_commit_callbacks):
    path = url("stage_detail", stage_id=stage.pk)
    assert "5 brīvas vietas no 5" in page(client, path)
    assert "5 brīvas vietas no 5" in page(client, url("programme_detail"))

    with django_capture_on_commit_callbacks(execute=True):
        registration = RegistrationFactory(stage=stage, status=Status.AWAITING_CONFIRMATION)
        services.registration_confirm_email(registration=registration)

    assert "4 brīvas vietas no 5" in page(client, path)
    assert "4 brīvas vietas no 5" in page(client, url("programme_detail"))


def test_a_page_rebuilt_after_a_seat_is_taken_does_not_render_the_form_again(
    stage, client, django_capture_on_commit_callbacks
):
    path = url("stage_detail", stage_id=stage.pk)
    page(client, path)  # the form is rendered at most once per process and language
    with django_capture_on_commit_callbacks(execute=True):
        registration = RegistrationFactory(stage=stage, status=Status.AWAITING_CONFIRMATION)
        services.registration_confirm_email(registration=registration)

    rebuilt = client.get(path)

    names = [template.name for template in rebuilt.templates]
    assert "participants/includes/stage_about.html" in names  # the stage was built anew
    assert "participants/includes/registration_form.html" not in names
    assert 'name="first_name"' in rebuilt.content.decode()


def test_a_seat_freed_shows_on_the_next_request(stage, client, django_capture_on_commit_callbacks):
    registration = RegistrationFactory(stage=stage, confirmed=True)
    path = url("stage_detail", stage_id=stage.pk)
    assert "4 brīvas vietas no 5" in page(client, path)

    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=registration, reason="")

    assert "5 brīvas vietas no 5" in page(client, path)


def test_a_new_registration_awaiting_confirmation_keeps_the_cache(
    stage, client, django_capture_on_commit_callbacks, django_assert_num_queries
):
    page(client, url("stage_detail", stage_id=stage.pk))

    with django_capture_on_commit_callbacks(execute=True):
        RegistrationFactory(stage=stage, status=Status.AWAITING_CONFIRMATION)

    with django_assert_num_queries(0):  # no seat taken, nothing on the pages changed
        page(client, url("stage_detail", stage_id=stage.pk))


def test_a_changed_session_and_stage_show_on_the_next_request(
    stage, client, django_capture_on_commit_callbacks
):
    path = url("stage_detail", stage_id=stage.pk)
    page(client, path)
    page(client, url("programme_detail"))

    with django_capture_on_commit_callbacks(execute=True):
        session = stage.sessions.get()
        session.topic_lv = "Mainīta tēma"
        session.save()
        stage.title_lv = "Jauns nosaukums"
        stage.save()

    assert "Mainīta tēma" in page(client, path)
    assert "Jauns nosaukums" in page(client, url("programme_detail"))


def test_a_new_stage_shows_on_the_programme_page(stage, client, django_capture_on_commit_callbacks):
    page(client, url("programme_detail"))

    with django_capture_on_commit_callbacks(execute=True):
        StageFactory(programme=stage.programme, title_lv="Pavisam jauns posms")

    assert "Pavisam jauns posms" in page(client, url("programme_detail"))


def test_registration_opens_on_time_without_any_change(client):
    opens = timezone.now() + timedelta(hours=2)
    stage = StageFactory(registration_opens_at=opens)
    SessionFactory(stage=stage, starts_at=opens + timedelta(days=30))
    path = url("stage_detail", stage_id=stage.pk)
    assert 'name="first_name"' not in page(client, path)

    with time_machine.travel(opens + timedelta(seconds=2)):
        assert 'name="first_name"' in page(client, path)


def test_each_visitor_gets_their_own_csrf_token(stage):
    path = url("stage_detail", stage_id=stage.pk)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_tokens = CSRF_INPUT.findall(page(first, path))
    second_tokens = CSRF_INPUT.findall(page(second, path))  # from the cache

    assert len(second_tokens) == 2  # the language switch and the registration form
    assert set(first_tokens).isdisjoint(second_tokens)
    for visitor, token in ((first, first_tokens[-1]), (second, second_tokens[-1])):
        data = form_data(email=f"{id(visitor)}@example.lv", csrfmiddlewaretoken=token)
        assert visitor.post(path, data).status_code == 302  # registered: the token is theirs
    foreign = form_data(email="third@example.lv", csrfmiddlewaretoken=first_tokens[-1])
    assert Client(enforce_csrf_checks=True).post(path, foreign).status_code == 403


def test_what_one_visitor_typed_never_reaches_another(stage, client):
    path = url("stage_detail", stage_id=stage.pk)
    page(client, path)
    typed = form_data(first_name="Slepenvārds", email="not-an-address")
    sent_back = client.post(path, typed).content.decode()
    assert "Slepenvārds" in sent_back  # the form comes back with what was typed and errors

    other = page(Client(), path)

    assert "Slepenvārds" not in other
    assert "error-summary" not in other


def test_the_pages_answer_when_the_cache_server_is_down(stage, client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing answers
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }

    assert "Exact sciences" in page(client, url("programme_detail", language="en"))
    assert "Exact sciences" in page(client, url("stage_detail", language="en", stage_id=stage.pk))


# --- the whole page, kept for plain visits (page_cache.public_page) ----------------------------

TOKEN = re.compile(r"^[A-Za-z0-9]{64}$")
PAGES = ["programme_detail", "stage_detail"]


def path_of(name, stage, language="lv"):
    kwargs = {"stage_id": stage.pk} if name == "stage_detail" else {}
    return url(name, language=language, **kwargs)


def without_tokens(body):
    return CSRF_INPUT.sub('name="csrfmiddlewaretoken" value="TOKEN"', body)


@pytest.mark.parametrize("language", ["lv", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_a_plain_repeat_visit_gets_the_kept_page_without_rendering(
    stage, django_assert_num_queries, name, language
):
    path = path_of(name, stage, language)
    first = Client().get(path)
    assert first.templates  # rendered once

    with django_assert_num_queries(0):
        again = Client().get(path)

    assert again.status_code == 200
    assert again.templates == []  # nothing rendered: the page as kept
    assert without_tokens(again.content.decode()) == without_tokens(first.content.decode())


@pytest.mark.parametrize("language", ["lv", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_the_kept_page_is_what_a_rendering_gives_but_for_the_token(stage, name, language):
    path = path_of(name, stage, language)
    Client().get(path)
    kept = Client().get(path)
    assert kept.templates == []
    rendering = Client()
    rendering.cookies["sessionid"] = "no-such-session"  # a session: rendered from the parts
    rendered = rendering.get(path)
    assert rendered.templates

    assert without_tokens(kept.content.decode()) == without_tokens(rendered.content.decode())
    for header in (
        "Content-Type",
        "Content-Language",
        "Content-Length",
        "Vary",
        "Cache-Control",
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
    ):
        assert kept.headers.get(header) == rendered.headers.get(header), header
    assert set(kept.cookies) == {"csrftoken"}  # the session cookie sent is deleted, as it is empty
    assert set(rendered.cookies) == {"csrftoken", "sessionid"}
    for attribute in ("max-age", "path", "samesite", "secure", "httponly", "domain"):
        assert kept.cookies["csrftoken"][attribute] == rendered.cookies["csrftoken"][attribute]


@pytest.mark.parametrize("language", ["lv", "en"])
def test_the_kept_programme_page_gives_each_visitor_their_own_token(stage, language):
    path = url("programme_detail", language=language)
    Client().get(path)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_token = CSRF_INPUT.findall(page(first, path))
    second_token = CSRF_INPUT.findall(page(second, path))
    assert len(first_token) == len(second_token) == 1  # the language switch
    assert first_token != second_token

    switch = {"language": "en", "next": path}
    for visitor, token in ((first, first_token[0]), (second, second_token[0])):
        assert TOKEN.match(token)
        assert (
            visitor.post("/i18n/setlang/", {**switch, "csrfmiddlewaretoken": token}).status_code
            == 302
        )
    stranger = Client(enforce_csrf_checks=True)
    stranger.get(url("privacy"))  # a cookie of its own
    refused = stranger.post("/i18n/setlang/", {**switch, "csrfmiddlewaretoken": first_token[0]})
    assert refused.status_code == 403


def test_the_placeholder_for_the_token_never_reaches_anyone(stage):
    visitor = Client()
    bodies = []
    for language in ("lv", "en"):
        for name in PAGES:
            path = path_of(name, stage, language)
            bodies += [visitor.get(path).content, Client().get(path).content]
        stage_path = path_of("stage_detail", stage, language)
        bodies.append(visitor.post(stage_path, form_data(email="not-an-address")).content)

    for body in bodies:
        assert b"placeholder" not in body
        tokens = CSRF_INPUT.findall(body.decode())
        assert tokens and all(TOKEN.match(token) for token in tokens)


def message_cookie(text):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpResponse
    from django.test import RequestFactory

    storage = CookieStorage(RequestFactory().get("/"))
    storage.add(constants.INFO, text)
    response = HttpResponse()
    storage.update(response)
    return response.cookies[CookieStorage.cookie_name].value


@pytest.mark.parametrize("name", PAGES)
def test_a_visitor_with_a_message_gets_it(stage, name):
    path = path_of(name, stage)
    Client().get(path)
    visitor = Client()
    visitor.cookies["messages"] = message_cookie("Paldies, jūsu ziņa saņemta.")

    assert "Paldies, jūsu ziņa saņemta." in page(visitor, path)
    assert "Paldies, jūsu ziņa saņemta." not in page(visitor, path)  # shown once
    assert "Paldies, jūsu ziņa saņemta." not in page(Client(), path)


@pytest.mark.parametrize("name", PAGES)
def test_a_signed_in_visitor_gets_a_rendered_page(stage, name, admin_user):
    path = path_of(name, stage)
    Client().get(path)
    staff = Client()
    staff.force_login(admin_user)

    response = staff.get(path)

    assert response.status_code == 200
    assert response.templates  # rendered for them, not the page kept for everyone


@pytest.mark.parametrize("name", PAGES)
def test_an_address_with_a_query_string_is_repeated_in_the_language_switch(stage, name):
    path = path_of(name, stage)
    Client().get(path)

    body = page(Client(), path + "?from=newsletter")

    assert f'name="next" type="hidden" value="{path}?from=newsletter"' in body
    assert f'name="next" type="hidden" value="{path}"' in page(Client(), path)


def test_only_a_page_s_own_address_is_kept(stage):
    odd = f"/lv/stages/000{stage.pk}/"
    first = Client().get(odd)
    again = Client().get(odd)

    assert again.templates  # not kept: made-up addresses cannot fill the cache
    assert f'value="{odd}"' in first.content.decode()
    assert f'value="{odd}"' in again.content.decode()


def test_a_missing_stage_is_not_found(stage, client):
    assert client.get(url("stage_detail", stage_id=stage.pk + 1000)).status_code == 404
    assert client.get(url("stage_detail", stage_id=stage.pk + 1000)).status_code == 404


@requires_redis
def test_the_kept_page_comes_from_redis(stage, settings, django_assert_num_queries):
    settings.CACHES = {
        "default": {
            "BACKEND": "innovation_centre.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"test-pages-{secrets.token_hex(4)}",
        }
    }
    path = url("stage_detail", stage_id=stage.pk)
    Client().get(path)

    visitor = Client(enforce_csrf_checks=True)
    with django_assert_num_queries(0):
        kept = visitor.get(path)

    assert kept.templates == []
    token = CSRF_INPUT.findall(kept.content.decode())[-1]
    assert TOKEN.match(token)
    assert visitor.post(path, form_data(csrfmiddlewaretoken=token)).status_code == 302


class CacheSpy:
    """The cache, recording which keys each call read."""

    def __init__(self, cache):
        self.cache, self.reads = cache, []

    def get(self, key, *args, **kwargs):
        self.reads.append([key])
        return self.cache.get(key, *args, **kwargs)

    def get_many(self, keys, *args, **kwargs):
        self.reads.append(list(keys))
        return self.cache.get_many(keys, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.cache, name)


def test_a_page_this_process_holds_costs_only_the_version_read(stage, monkeypatch):
    from participants import page_cache

    path = url("stage_detail", stage_id=stage.pk)
    Client().get(path)
    spy = CacheSpy(page_cache.cache)
    monkeypatch.setattr(page_cache, "cache", spy)

    kept = Client().get(path)
    assert kept.templates == []
    assert spy.reads == [[page_cache.VERSION_KEY]]

    page_cache.drop_version()  # as another process does after a change
    spy.reads.clear()
    again = Client().get(path)

    assert again.templates  # the page held for the old version is not served
    assert spy.reads[:2] == [[page_cache.VERSION_KEY], [page_cache.VERSION_KEY, spy.reads[1][1]]]
