"""The certificate as a PDF, in the holder's language (reportlab, fonts shipped in ``fonts/``).

The text is set in DejaVu Sans, a TrueType font in this package that has every Latvian letter
(ā č ē ģ ī ķ ļ ņ š ū ž and the capitals); reportlab embeds the glyphs it uses, so the PDF looks
the same on every reader and the portal needs no system font.
"""

from decimal import Decimal
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import escapeOnce
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from participants.certificates.selectors import stage_topics

FONT_DIR = Path(__file__).resolve().parent / "fonts"
DEJAVU = "CertificateSans"
DEJAVU_BOLD = "CertificateSans-Bold"
# The fonts the text is set in (the tests swap in a font without Latvian letters to prove that
# their glyph check notices).
FONT = DEJAVU
BOLD_FONT = DEJAVU_BOLD
QR_SIZE = 32 * mm


def _register_fonts():
    if DEJAVU not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(DEJAVU, FONT_DIR / "DejaVuSans.ttf"))
        pdfmetrics.registerFont(TTFont(DEJAVU_BOLD, FONT_DIR / "DejaVuSans-Bold.ttf"))
        pdfmetrics.registerFontFamily(DEJAVU, normal=DEJAVU, bold=DEJAVU_BOLD)


def _styles():
    regular, bold = FONT, BOLD_FONT
    base = ParagraphStyle("body", fontName=regular, fontSize=10.5, leading=14)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10.5),
        "header": ParagraphStyle("header", parent=base, fontName=bold, fontSize=11),
        "title": ParagraphStyle(
            "title", parent=base, fontName=bold, fontSize=28, leading=34, alignment=TA_CENTER
        ),
        "centre": ParagraphStyle("centre", parent=base, alignment=TA_CENTER),
        "name": ParagraphStyle(
            "name", parent=base, fontName=bold, fontSize=22, leading=28, alignment=TA_CENTER
        ),
    }


def format_hours(hours: Decimal) -> str:
    """Academic hours as people write them: 60, 56,5 (lv) / 56.5 (en)."""
    hours = Decimal(hours)
    value = hours.quantize(Decimal(1)) if hours == hours.to_integral_value() else hours.normalize()
    return formats.number_format(value)


def format_day(day) -> str:
    return formats.date_format(day, "DATE_FORMAT") if day else ""


def verification_url(certificate, *, language) -> str:
    with translation.override(language):
        path = reverse("certificates:verify", kwargs={"code": certificate.verification_code})
    return f"{settings.SITE_URL}{path}"


def _qr_code(url: str) -> Drawing:
    widget = QrCodeWidget(url, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(
        QR_SIZE, QR_SIZE, transform=[QR_SIZE / (right - left), 0, 0, QR_SIZE / (top - bottom), 0, 0]
    )
    drawing.add(widget)
    return drawing


def _text(value) -> str:
    """Plain text made safe for a reportlab Paragraph (which reads a little XML)."""
    return escapeOnce(str(value))


def _statement(certificate) -> str:
    stage = certificate.stage
    return _(
        "took part in stage %(order)s, “%(stage)s”, of the non-formal further-education "
        "programme “%(programme)s”"
    ) % {
        "order": stage.order,
        "stage": _text(stage.title),
        "programme": _text(certificate.programme.title),
    }


def _details(certificate, styles) -> list:
    """Dates, hours, topics and the approval reference."""
    body = styles["body"]
    flow = []
    if certificate.first_day:
        dates = format_day(certificate.first_day)
        if certificate.last_day and certificate.last_day != certificate.first_day:
            dates = f"{dates} – {format_day(certificate.last_day)}"
        flow.append(Paragraph(f"<b>{_('Dates')}:</b> {dates}", body))
    hours = _("%(attended)s of %(planned)s planned academic hours") % {
        "attended": format_hours(certificate.hours_attended),
        "planned": format_hours(certificate.hours_planned),
    }
    flow.append(Paragraph(f"<b>{_('Academic hours attended')}:</b> {hours}", body))
    minutes = _("one academic hour is %(minutes)s minutes") % {
        "minutes": certificate.programme.minutes_per_academic_hour
    }
    flow.append(Paragraph(f"({minutes})", styles["small"]))
    topics = stage_topics(certificate.stage)
    if topics:
        flow.append(Spacer(1, 3 * mm))
        flow.append(Paragraph(f"<b>{_('Topics')}:</b>", body))
        flow.extend(Paragraph(f"• {_text(topic)}", body) for topic in topics)
    if certificate.programme.approval_reference:
        flow.append(Spacer(1, 3 * mm))
        reference = _text(certificate.programme.approval_reference)
        flow.append(Paragraph(f"<b>{_('Programme approval')}:</b> {reference}", body))
    return flow


def _organiser(programme, styles) -> list:
    flow = [
        Paragraph(_text(programme.organiser), styles["header"]),
        Paragraph(_text(programme.organiser_address), styles["body"]),
    ]
    if programme.partner:
        partner = _("in cooperation with %(partner)s") % {"partner": _text(programme.partner)}
        flow.append(Paragraph(partner, styles["body"]))
    return flow


def _signature(certificate, styles) -> list:
    programme = certificate.programme
    issued = _("Issued on %(date)s") % {
        "date": format_day(timezone.localdate(certificate.issued_at))
    }
    flow = [Paragraph(issued, styles["body"]), Spacer(1, 14 * mm)]
    flow.append(Paragraph("_" * 34, styles["body"]))
    if programme.signatory_name:
        flow.append(Paragraph(_text(programme.signatory_name), styles["header"]))
    if programme.signatory_title:
        flow.append(Paragraph(_text(programme.signatory_title), styles["body"]))
    return flow


def _verification(certificate, styles, *, language) -> Table:
    url = verification_url(certificate, language=language)
    text = [
        Paragraph(f"<b>{_('Verification code')}:</b> {certificate.display_code}", styles["body"]),
        Paragraph(_("Check that this certificate is valid at"), styles["small"]),
        Paragraph(_text(url), styles["small"]),
    ]
    table = Table([[_qr_code(url), text]], colWidths=[QR_SIZE + 4 * mm, None])
    table.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (0, 0), 0)])
    )
    return table


def _story(certificate, *, language) -> list:
    styles = _styles()
    programme = certificate.programme
    story = _organiser(programme, styles)
    story += [
        Spacer(1, 14 * mm),
        Paragraph(_("CERTIFICATE"), styles["title"]),
        Paragraph(_("No. %(number)s") % {"number": _text(certificate.number)}, styles["centre"]),
        Spacer(1, 10 * mm),
        Paragraph(_("This is to certify that"), styles["centre"]),
        Spacer(1, 3 * mm),
        Paragraph(_text(certificate.holder_name), styles["name"]),
        Spacer(1, 3 * mm),
        Paragraph(_statement(certificate), styles["centre"]),
        Spacer(1, 8 * mm),
    ]
    story += _details(certificate, styles)
    story += [Spacer(1, 8 * mm), *_signature(certificate, styles), Spacer(1, 8 * mm)]
    story.append(_verification(certificate, styles, language=language))
    story += [Spacer(1, 5 * mm), Paragraph(_text(programme.acknowledgement), styles["small"])]
    return story


def certificate_pdf(certificate, *, language: str | None = None) -> bytes:
    """The certificate's PDF in ``language`` (default: the holder's preferred language)."""
    _register_fonts()
    language = language or certificate.participant.language
    buffer = BytesIO()
    with translation.override(language):
        document = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=22 * mm,
            rightMargin=22 * mm,
            topMargin=18 * mm,
            bottomMargin=15 * mm,
            title=f"{_('Certificate')} {certificate.number}",
            author=certificate.programme.organiser,
            subject=certificate.holder_name,
            invariant=True,
        )
        document.build(_story(certificate, language=language))
    return buffer.getvalue()


def certificate_filename(certificate) -> str:
    return f"{slugify(certificate.number) or 'certificate'}.pdf"
