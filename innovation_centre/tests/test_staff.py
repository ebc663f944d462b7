"""The group "Programme staff": exactly the permissions staff need, and the admin honours them."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse

from courses.tests.factories import SessionFactory
from innovation_centre.staff import (
    PROGRAMME_STAFF,
    PROGRAMME_STAFF_PERMISSIONS,
    programme_staff_group_sync,
)

pytestmark = pytest.mark.django_db


def group_permissions():
    group = Group.objects.get(name=PROGRAMME_STAFF)
    return set(group.permissions.values_list("content_type__app_label", "codename"))


@pytest.fixture
def staff_client(client):
    user = User.objects.create_user("liga", password="not-a-real-password-1", is_staff=True)
    user.groups.add(Group.objects.get(name=PROGRAMME_STAFF))
    client.force_login(user)
    return client


def test_migrate_creates_the_group_with_the_programme_permissions():
    permissions = group_permissions()
    courses = {codename for app, codename in permissions if app == "courses"}
    assert {
        "view_programme",
        "add_programme",
        "change_programme",
        "view_stage",
        "add_stage",
        "change_stage",
        "view_session",
        "add_session",
        "change_session",
        "delete_session",
    } <= courses
    assert not {"delete_programme", "delete_stage"} & courses
    assert {("participants", "view_participant"), ("participants", "change_participant")} <= (
        permissions
    )
    assert {("participants", "view_registration"), ("participants", "change_registration")} <= (
        permissions
    )
    assert ("django_celery_beat", "view_periodictask") in permissions


# Written out by hand, not derived from PROGRAMME_STAFF_PERMISSIONS: a permission added to or
# dropped from that list (a "delete" too many) must show up here as a failing test.
EXPECTED_STAFF_PERMISSIONS = {
    ("courses", "view_programme"),
    ("courses", "add_programme"),
    ("courses", "change_programme"),
    ("courses", "view_stage"),
    ("courses", "add_stage"),
    ("courses", "change_stage"),
    ("courses", "view_session"),
    ("courses", "add_session"),
    ("courses", "change_session"),
    ("courses", "delete_session"),
    ("courses", "view_reminderrule"),
    ("courses", "add_reminderrule"),
    ("courses", "change_reminderrule"),
    ("courses", "delete_reminderrule"),
    ("participants", "view_participant"),
    ("participants", "change_participant"),
    ("participants", "view_registration"),
    ("participants", "change_registration"),
    ("participants", "view_reminderdelivery"),
    ("participants", "change_reminderdelivery"),
    ("participants", "view_sessionreminders"),
    ("participants", "change_sessionreminders"),
    # Models being added (the mail outbox, attendance, Zoom imports, certificates): expected
    # once they exist.
    ("participants", "view_participantmail"),
    ("participants", "view_attendance"),
    ("participants", "add_attendance"),
    ("participants", "change_attendance"),
    ("participants", "view_historicalattendance"),
    ("participants", "view_zoomimport"),
    ("participants", "add_zoomimport"),
    ("participants", "view_zoomalias"),
    ("participants", "delete_zoomalias"),
    ("participants", "view_certificate"),
    ("participants", "add_certificate"),
    ("participants", "change_certificate"),
    ("django_celery_beat", "view_periodictask"),
    ("django_celery_beat", "view_periodictasks"),
    ("django_celery_beat", "view_crontabschedule"),
    ("django_celery_beat", "view_intervalschedule"),
    ("django_celery_beat", "view_clockedschedule"),
    ("django_celery_beat", "view_solarschedule"),
}


def test_the_group_holds_exactly_the_expected_permissions():
    existing = set(Permission.objects.values_list("content_type__app_label", "codename"))
    # A listed model that is not installed yet has no permissions to hold.
    expected = EXPECTED_STAFF_PERMISSIONS & existing
    assert {("courses", "view_programme"), ("participants", "change_registration")} <= expected

    assert group_permissions() == expected


def test_sync_removes_permissions_added_by_hand_and_is_repeatable():
    group = Group.objects.get(name=PROGRAMME_STAFF)
    before = group_permissions()
    group.permissions.add(Permission.objects.get(codename="delete_programme"))
    group.permissions.add(Permission.objects.get(codename="add_user"))
    programme_staff_group_sync()
    programme_staff_group_sync()
    assert group_permissions() == before
    assert Group.objects.filter(name=PROGRAMME_STAFF).count() == 1


def changelists_of_the_group():
    registered = {
        f"{model._meta.app_label}.{model._meta.model_name}": model for model in admin.site._registry
    }
    for label in PROGRAMME_STAFF_PERMISSIONS:
        if label in registered:
            yield registered[label]


def test_staff_open_every_changelist_their_group_covers(staff_client):
    SessionFactory()
    opened = []
    for model in changelists_of_the_group():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert staff_client.get(url).status_code == 200, url
        opened.append(f"{model._meta.app_label}.{model._meta.model_name}")
    assert {
        "courses.programme",
        "courses.stage",
        "courses.session",
        "participants.participant",
        "participants.registration",
        "django_celery_beat.periodictask",
    } <= set(opened)


def test_staff_edit_a_stage_and_add_sessions_but_cannot_delete_a_programme(staff_client):
    session = SessionFactory()
    stage_url = reverse("admin:courses_stage_change", args=[session.stage_id])
    assert staff_client.get(stage_url).status_code == 200
    assert staff_client.get(reverse("admin:courses_session_add")).status_code == 200
    delete_programme = reverse("admin:courses_programme_delete", args=[session.stage.programme_id])
    assert staff_client.get(delete_programme).status_code == 403
    assert staff_client.post(delete_programme, {"post": "yes"}).status_code == 403
    delete_session = reverse("admin:courses_session_delete", args=[session.pk])
    assert staff_client.get(delete_session).status_code == 200


def test_staff_cannot_manage_users_or_groups(staff_client):
    assert staff_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert staff_client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert staff_client.get(reverse("admin:auth_user_add")).status_code == 403


@pytest.mark.parametrize(
    "url_name",
    ["admin:index", "admin:courses_session_changelist", "admin:courses_programme_changelist"],
)
def test_anonymous_visitors_are_sent_to_the_admin_login(client, url_name):
    url = reverse(url_name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert f"next={url}" in response["Location"]
