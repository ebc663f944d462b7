"""The public verification page and form, and the holder's download from the manage link."""

import pytest
from django.urls import reverse

from participants import links
from participants.certificates import services
from participants.certificates.tests.conftest import confirmed_participant
from participants.models import Registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(stage, eligible, staff_user):
    return services.certificate_issue(participant=eligible, stage=stage, issued_by=staff_user)


def verify_url(code, language="lv"):
    return f"/{language}/certificates/verify/{code}/"


def test_a_valid_certificate_shows_holder_stage_and_hours_only(client, certificate):
    page = client.get(verify_url(certificate.verification_code))
    html = page.content.decode()

    assert page.status_code == 200
    assert "Šī apliecība ir derīga." in html
    assert certificate.holder_name in html
    assert "Eksaktās zinātnes un kompetenču pieeja" in html
    assert "12 no 16 plānotajām" in html
    assert certificate.participant.email not in html  # nothing beyond what the paper says
    assert certificate.participant.institution not in html
    assert page["X-Robots-Tag"] == "noindex"


def test_the_page_is_in_english_under_en(client, certificate):
    html = client.get(verify_url(certificate.verification_code, "en")).content.decode()
    assert "This certificate is valid." in html
    assert "12 of 16 planned" in html


def test_a_revoked_certificate_says_so_without_the_reason(client, certificate, staff_user):
    services.certificate_revoke(
        certificate=certificate, reason="Iekšēja piezīme par kļūdu", revoked_by=staff_user
    )
    page = client.get(verify_url(certificate.verification_code))
    html = page.content.decode()

    assert page.status_code == 200
    assert "Šī apliecība ir anulēta un nav derīga." in html
    assert "Šī apliecība ir derīga." not in html
    assert "Iekšēja piezīme" not in html


def test_a_made_up_code_gets_a_friendly_page(client, certificate):
    made_up = "AAAABBBBCCCCDDDD"
    page = client.get(verify_url(made_up))
    html = page.content.decode()

    assert page.status_code == 404
    assert "Apliecība ar šādu kodu nav atrasta." in html
    assert 'name="code"' in html  # the form, to try again
    assert certificate.holder_name not in html


@pytest.mark.parametrize("junk", ["x", "%3Cscript%3E", "A" * 300, "ĀĀĀĀ"])
def test_junk_in_the_address_is_a_friendly_page_too(client, junk):
    page = client.get(verify_url(junk))
    assert page.status_code == 404
    assert "Apliecība ar šādu kodu nav atrasta." in page.content.decode()


def test_a_code_typed_with_dashes_and_lower_case_leads_to_its_page(client, certificate):
    typed = certificate.display_code.lower()
    page = client.get(verify_url(typed))
    assert page.status_code == 302
    assert page["Location"] == verify_url(certificate.verification_code)


def test_the_form_is_a_get_form_that_finds_a_typed_code(client, certificate):
    form = client.get("/lv/certificates/verify/")
    assert form.status_code == 200
    assert 'method="get"' in form.content.decode()

    typed = f"  {certificate.display_code.lower()} "
    found = client.get("/lv/certificates/verify/", {"code": typed})
    assert found.status_code == 302
    assert found["Location"] == verify_url(certificate.verification_code)


def test_the_form_explains_a_code_that_cannot_be_one(client, certificate):
    page = client.get("/lv/certificates/verify/", {"code": "12345"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Tas nav pārbaudes kods" in html
    assert 'aria-invalid="true"' in html


def test_the_form_explains_a_well_formed_code_that_does_not_exist(client, certificate):
    page = client.get("/lv/certificates/verify/", {"code": "AAAA-BBBB-CCCC-DDDD"})
    assert page.status_code == 200
    assert "Apliecība ar šādu kodu nav atrasta." in page.content.decode()


def test_the_form_asks_for_a_code_when_empty(client):
    page = client.get("/lv/certificates/verify/", {"code": ""})
    assert "Ierakstiet apliecības pārbaudes kodu." in page.content.decode()


def test_trying_many_codes_from_one_address_is_slowed_down(client, settings, certificate):
    from participants.certificates import views

    for _ in range(views.LOOKUP_LIMIT):
        assert client.get(verify_url("AAAABBBBCCCCDDDD")).status_code == 404
    page = client.get(verify_url(certificate.verification_code))
    assert page.status_code == 429
    assert certificate.holder_name not in page.content.decode()


# --- the holder's download -------------------------------------------------------------------


def manage_token(participant, stage):
    registration = Registration.objects.get(participant=participant, stage=stage)
    return links.make_token(registration, salt=links.MANAGE_SALT)


def test_the_manage_page_links_the_certificate(client, certificate):
    token = manage_token(certificate.participant, certificate.stage)
    html = client.get(reverse("participants:registration_manage", args=[token])).content.decode()
    assert reverse("certificates:download", args=[token]) in html
    assert certificate.display_code in html


def test_the_manage_page_has_no_link_without_a_certificate(client, stage, below_threshold):
    token = manage_token(below_threshold, stage)
    html = client.get(reverse("participants:registration_manage", args=[token])).content.decode()
    assert "/certificates/download/" not in html


def test_the_holder_downloads_the_pdf_with_the_manage_token(client, certificate):
    token = manage_token(certificate.participant, certificate.stage)
    response = client.get(reverse("certificates:download", args=[token]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response.content.startswith(b"%PDF")


def test_an_altered_token_downloads_nothing(client, certificate):
    token = manage_token(certificate.participant, certificate.stage)
    response = client.get(reverse("certificates:download", args=[token[:-2] + "xx"]))
    assert response.status_code == 400
    assert not response.content.startswith(b"%PDF")


def test_a_confirmation_token_is_not_a_manage_token(client, certificate):
    registration = Registration.objects.get(participant=certificate.participant)
    token = links.make_token(registration, salt=links.CONFIRMATION_SALT)
    assert client.get(reverse("certificates:download", args=[token])).status_code == 400


def test_someone_elses_manage_link_does_not_give_this_certificate(client, stage, certificate):
    other = confirmed_participant(stage, sessions=1)
    token = manage_token(other, stage)
    assert client.get(reverse("certificates:download", args=[token])).status_code == 404


def test_a_revoked_certificate_cannot_be_downloaded(client, certificate, staff_user):
    services.certificate_revoke(certificate=certificate, reason="Kļūda", revoked_by=staff_user)
    token = manage_token(certificate.participant, certificate.stage)
    assert client.get(reverse("certificates:download", args=[token])).status_code == 404
    html = client.get(reverse("participants:registration_manage", args=[token])).content.decode()
    assert "ir anulēta" in html
