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


def test_the_group_holds_nothing_beyond_the_list():
    for app, codename in group_permissions():
        action, model = codename.split("_", 1)
        assert action in PROGRAMME_STAFF_PERMISSIONS[f"{app}.{model}"]
    assert not {app for app, _ in group_permissions()} & {"auth", "admin", "contenttypes"}
    assert not any(
        codename.startswith(("add_", "change_", "delete_"))
        for app, codename in group_permissions()
        if app == "django_celery_beat"
    )


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
