"""Staff issue certificates for a stage (all eligible, or those ticked), revoke with a reason,
and download the PDF; only with the permissions of the group "Programme staff"."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from innovation_centre.staff import PROGRAMME_STAFF
from participants.certificates import services
from participants.certificates.models import Certificate
from participants.certificates.tests.conftest import confirmed_participant

pytestmark = pytest.mark.django_db

ISSUE_URL = "/admin/participants/certificate/issue/"


@pytest.fixture
def staff_client(client):
    user = User.objects.create_user("lietvede", is_staff=True)
    user.groups.add(Group.objects.get(name=PROGRAMME_STAFF))
    client.force_login(user)
    client.user = user
    return client


def test_the_group_may_issue_and_revoke_but_never_delete():
    codenames = set(
        Group.objects.get(name=PROGRAMME_STAFF).permissions.values_list("codename", flat=True)
    )
    assert {"view_certificate", "add_certificate", "change_certificate"} <= codenames
    assert "delete_certificate" not in codenames


def test_the_issue_page_lists_who_has_reached_the_threshold(
    staff_client, stage, eligible, below_threshold
):
    html = staff_client.get(ISSUE_URL, {"stage": stage.pk}).content.decode()

    assert f'value="{eligible.pk}"' in html  # a ticked box
    assert f'value="{below_threshold.pk}"' not in html  # no box: below the threshold
    assert below_threshold.last_name in html


def test_staff_issue_to_the_ticked_participants(
    staff_client, stage, eligible, below_threshold, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            f"{ISSUE_URL}?stage={stage.pk}",
            {"participant": [eligible.pk, below_threshold.pk]},
        )

    assert response.status_code == 302
    certificate = Certificate.objects.get()
    assert certificate.participant == eligible
    assert certificate.issued_by == staff_client.user
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "Izsniegtas un pa e-pastu nosūtītas apliecības: 1." in messages
    assert any(below_threshold.last_name in message for message in messages)


def test_issuing_with_nothing_ticked_issues_nothing(staff_client, stage, eligible):
    response = staff_client.post(f"{ISSUE_URL}?stage={stage.pk}", {"participant": ["x"]})
    assert response.status_code == 302
    assert not Certificate.objects.exists()


def test_the_issue_page_with_a_bad_stage_is_no_error(staff_client):
    assert staff_client.get(ISSUE_URL, {"stage": "nav"}).status_code == 200
    assert staff_client.post(f"{ISSUE_URL}?stage=999999", {"participant": ["1"]}).status_code == 200


def test_the_list_and_the_certificate_page_show_the_certificates(staff_client, stage, eligible):
    certificate = services.certificate_issue(participant=eligible, stage=stage, issued_by=None)
    changelist = staff_client.get("/admin/participants/certificate/").content.decode()
    assert certificate.number in changelist
    search = staff_client.get("/admin/participants/certificate/", {"q": eligible.email})
    assert certificate.number in search.content.decode()
    page = staff_client.get(f"/admin/participants/certificate/{certificate.pk}/change/")
    assert reverse("admin:participants_certificate_revoke", args=[certificate.pk]) in (
        page.content.decode()
    )


def test_staff_revoke_with_a_reason(staff_client, stage, eligible):
    certificate = services.certificate_issue(participant=eligible, stage=stage, issued_by=None)
    url = reverse("admin:participants_certificate_revoke", args=[certificate.pk])

    empty = staff_client.post(url, {"reason": "  "})
    assert empty.status_code == 200  # the form again, with the message
    certificate.refresh_from_db()
    assert not certificate.is_revoked

    staff_client.post(url, {"reason": "Dalībnieks nebija klāt"})
    certificate.refresh_from_db()
    assert certificate.is_revoked
    assert certificate.revocation_reason == "Dalībnieks nebija klāt"
    assert certificate.revoked_by == staff_client.user


def test_staff_download_the_pdf(staff_client, stage, eligible):
    certificate = services.certificate_issue(participant=eligible, stage=stage, issued_by=None)
    response = staff_client.get(
        reverse("admin:participants_certificate_pdf", args=[certificate.pk])
    )
    assert response.content.startswith(b"%PDF")


def test_staff_without_the_permissions_can_neither_issue_nor_revoke(client, stage, eligible):
    certificate = services.certificate_issue(participant=eligible, stage=stage, issued_by=None)
    client.force_login(User.objects.create_user("viesis", is_staff=True))
    revoke = reverse("admin:participants_certificate_revoke", args=[certificate.pk])

    assert client.get(ISSUE_URL, {"stage": stage.pk}).status_code == 403
    other = confirmed_participant(stage, sessions=4)
    assert (
        client.post(f"{ISSUE_URL}?stage={stage.pk}", {"participant": [other.pk]}).status_code == 403
    )
    assert client.post(revoke, {"reason": "x"}).status_code == 403
    certificate.refresh_from_db()
    assert not certificate.is_revoked
    assert Certificate.objects.count() == 1
