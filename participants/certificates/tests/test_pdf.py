"""The certificate PDF: what it says (text extracted with pypdf) and how it looks (rendered
with PDFium and compared glyph by glyph with the shipped font drawn by FreeType)."""

from io import BytesIO

import pypdf
import pytest

from participants.certificates import pdf, services
from participants.certificates.tests.conftest import LATVIAN_LETTERS
from participants.certificates.tests.glyphs import find_text, misdrawn_letters, render_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(stage, eligible, staff_user):
    return services.certificate_issue(participant=eligible, stage=stage, issued_by=staff_user)


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def one_line(text: str) -> str:
    return " ".join(text.split())


def test_the_pdf_states_everything_in_latvian(certificate, settings):
    settings.SITE_URL = "https://portal.example.lv"
    content = pdf.certificate_pdf(certificate)
    assert content.startswith(b"%PDF")
    assert len(pypdf.PdfReader(BytesIO(content)).pages) == 1
    text = one_line(pdf_text(content))

    assert "APLIECĪBA" in text
    assert f"Nr. {certificate.number}" in text
    assert "Ārija Ēvalda Īve Ūna Ļena Ķīna Žanna Čakste-Ģērķe-Ņikšļūža-Šāčēģīķļņšūž" in text
    assert "Apmeklētās akadēmiskās stundas: 12 no 16 plānotajām akadēmiskajām stundām" in text
    assert "Inovāciju centra izveidošana Daugavpilī" in text  # the programme
    assert "1. posmā “Eksaktās zinātnes un kompetenču pieeja”" in text
    for session in certificate.stage.sessions.all():  # the topics
        assert session.topic_lv in text
    assert "Daugavpils Inovāciju centrs" in text and "Daugavpils Universitāte" in text
    assert "VISC apstiprinājums Nr. 2021/17" in text  # the approval reference
    assert "Jānis Bērziņš" in text and "Daugavpils Inovāciju centra vadītājs" in text
    assert "EEZ un Norvēģijas finanšu instrumentu atbalstu" in text  # the funder
    assert certificate.display_code in text
    url = f"https://portal.example.lv/lv/certificates/verify/{certificate.verification_code}/"
    assert url in text


def test_the_pdf_is_in_english_for_an_english_speaker(certificate):
    certificate.participant.language = "en"
    text = one_line(pdf_text(pdf.certificate_pdf(certificate)))
    assert "CERTIFICATE" in text
    assert "Academic hours attended: 12 of 16 planned academic hours" in text
    assert "Establishment of an Innovation Centre in Daugavpils" in text
    assert "/en/certificates/verify/" in text
    assert "Ārija" in text  # the name as it is written


def test_no_approval_reference_line_when_the_programme_has_none(certificate):
    certificate.programme.approval_reference = ""
    text = pdf_text(pdf.certificate_pdf(certificate))
    assert "apstiprinājums" not in text.lower()


def test_the_qr_code_holds_the_verification_url(certificate):
    drawing = pdf._qr_code(pdf.verification_url(certificate, language="lv"))
    (widget,) = drawing.contents
    assert widget.value.endswith(f"/lv/certificates/verify/{certificate.verification_code}/")


def test_every_latvian_letter_is_drawn_with_its_own_glyph(certificate):
    """Each Latvian letter of the holder's name, as PDFium draws it, looks like that letter in
    DejaVu Sans Bold drawn by FreeType, and not like the letter without its mark or a box."""
    content = pdf.certificate_pdf(certificate)
    assert misdrawn_letters(content, certificate.holder_name) == []
    assert set(LATVIAN_LETTERS) <= set(certificate.holder_name)


def test_the_glyph_check_notices_a_font_without_latvian_letters(certificate, monkeypatch):
    """The check above can fail: set in Helvetica (Windows Latin-1), every Latvian letter that
    encoding lacks is caught, and only those (it has Š š Ž ž)."""
    monkeypatch.setattr(pdf, "FONT", "Helvetica")
    monkeypatch.setattr(pdf, "BOLD_FONT", "Helvetica-Bold")
    content = pdf.certificate_pdf(certificate)
    name = certificate.holder_name
    page = render_page(content)
    assert find_text(page.textpage, name) is not None  # found, so the pictures were compared
    lacking = [char for char in name if char in LATVIAN_LETTERS and char not in "ŠšŽž"]
    assert misdrawn_letters(content, name) == lacking
