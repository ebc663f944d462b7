"""The report as a PDF (reportlab): landscape A4, a table per section, the funder's
acknowledgement and "page n of m" at the foot of every page.

The text is set in DejaVu Sans, the TrueType font the certificates ship in
``participants/certificates/fonts/`` (with its licence), so every Latvian letter is drawn as
itself; reportlab embeds the glyphs used.
"""

import io

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import escapeOnce
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from participants.certificates.pdf import FONT_DIR
from reporting.report.build import ProgressReport
from reporting.report.files import cell_text
from reporting.report.formatting import period_text
from reporting.report.tables import report_sections

FONT = "ReportSans"
BOLD_FONT = "ReportSans-Bold"
PAGE = landscape(A4)
MARGIN = 15 * mm
FOOTER_HEIGHT = 22 * mm
NUMERIC = ("money", "number", "percent")


def _register_fonts():
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, FONT_DIR / "DejaVuSans.ttf"))
        pdfmetrics.registerFont(TTFont(BOLD_FONT, FONT_DIR / "DejaVuSans-Bold.ttf"))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD_FONT)


def _styles():
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=11.5)
    return {
        "body": body,
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=10),
        "number": ParagraphStyle("number", parent=body, fontSize=8, leading=10, alignment=TA_RIGHT),
        "head": ParagraphStyle("head", parent=body, fontName=BOLD_FONT, fontSize=8, leading=10),
        "title": ParagraphStyle("title", parent=body, fontName=BOLD_FONT, fontSize=18, leading=23),
        "h2": ParagraphStyle("h2", parent=body, fontName=BOLD_FONT, fontSize=13, leading=17),
        "footer": ParagraphStyle("footer", parent=body, fontSize=7, leading=8.5),
    }


def _text(value) -> str:
    return escapeOnce(str(value)).replace("\n", "<br/>")


def _section_table(section, styles, width):
    header = [Paragraph(_text(column.label), styles["head"]) for column in section.columns]
    body = []
    first_total = len(section.rows) - section.total_rows
    for row_index, row in enumerate(section.rows):
        cells = []
        for column_index, value in enumerate(row):
            kind = section.kind(row_index, column_index, value)
            text = _text(cell_text(kind, value))
            if row_index >= first_total:
                text = f"<b>{text}</b>"
            style = styles["number"] if kind in NUMERIC else styles["cell"]
            cells.append(Paragraph(text, style))
        body.append(cells)
    widths = _column_widths(section, width)
    table = Table([header, *body], colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e7ecf1")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


FIXED_WIDTHS = {"money": 27 * mm, "percent": 18 * mm, "number": 18 * mm, "date": 22 * mm}


def _column_widths(section, width):
    """Numbers get the room they need on one line; text columns share the rest."""
    if section.key in ("cover", "pace"):
        return [width * 0.35, width * 0.65]
    fixed = [FIXED_WIDTHS.get(column.kind) for column in section.columns]
    rest = width - sum(value for value in fixed if value)
    weights = [0 if value else (2 if index <= 1 else 1) for index, value in enumerate(fixed)]
    return [
        value or rest * weight / sum(weights) for value, weight in zip(fixed, weights, strict=True)
    ]


class _NumberedCanvas(Canvas):
    """Holds the pages back until the end, so each can say "page n of m"."""

    footer_text = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages = []

    def showPage(self):  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        count = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._draw_footer(count)
            super().showPage()
        super().save()

    def _draw_footer(self, count):
        styles = _styles()
        width = PAGE[0] - 2 * MARGIN
        acknowledgement = Paragraph(_text(self.footer_text), styles["footer"])
        _w, height = acknowledgement.wrap(width * 0.8, FOOTER_HEIGHT)
        acknowledgement.drawOn(self, MARGIN, MARGIN - 4 * mm + (FOOTER_HEIGHT - height) / 2)
        self.setFont(FONT, 8)
        self.drawRightString(
            PAGE[0] - MARGIN,
            MARGIN,
            _("Page %(page)s of %(pages)s") % {"page": self._pageNumber, "pages": count},
        )


def report_pdf(report: ProgressReport) -> bytes:
    _register_fonts()
    styles = _styles()
    cover = report.cover
    period = period_text(cover.period_start, cover.period_end)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + FOOTER_HEIGHT,
        title=_("Progress report %(period)s") % {"period": period},
        author=cover.organiser,
    )
    width = PAGE[0] - 2 * MARGIN
    story = [
        Paragraph(_text(_("Progress report")), styles["title"]),
        Paragraph(_text(cover.programme_title), styles["h2"]),
        Paragraph(
            _text(_("Period: %(period)s") % {"period": period}),
            styles["body"],
        ),
        Spacer(1, 4 * mm),
    ]
    for number, section in enumerate(report_sections(report)):
        block = [] if number == 0 else [PageBreak()]
        block.append(Paragraph(_text(section.title), styles["h2"]))
        block.append(Spacer(1, 2 * mm))
        block.append(_section_table(section, styles, width))
        story.extend(block)
        notes = [Paragraph(_text(note), styles["body"]) for note in section.notes]
        if notes:
            story.append(Spacer(1, 3 * mm))
            story.append(KeepTogether(notes))
    canvas_class = type("ReportCanvas", (_NumberedCanvas,), {"footer_text": cover.acknowledgement})
    document.build(story, canvasmaker=canvas_class)
    return buffer.getvalue()
