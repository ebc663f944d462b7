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
from reportlab.pdfbase.pdfmetrics import stringWidth
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
from reporting.report.formatting import cell_text, period_text
from reporting.report.tables import report_sections

FONT = "ReportSans"
BOLD_FONT = "ReportSans-Bold"
PAGE = landscape(A4)
MARGIN = 15 * mm
FOOTER_HEIGHT = 22 * mm
NUMERIC = ("money", "number", "percent")
ONE_LINE = (*NUMERIC, "date", "datetime")
CELL_PADDING = 12  # a table cell's left and right padding (reportlab's default, 6 each)
CELL_PADDING_VERTICAL = 6  # and its top and bottom padding (3 each)


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
    """The section as a table. A Paragraph (wrapped to its column) is slow to lay out and the
    report has a row per stage, thousands at national scale: so only text too wide for its
    column is one; numbers, percentages, dates and text that fits on a line are plain strings
    in the same font."""
    header = [Paragraph(_text(column.label), styles["head"]) for column in section.columns]
    widths = _column_widths(section, width)
    cell = styles["cell"]
    body = []
    first_total = len(section.rows) - section.total_rows
    right_aligned = []
    for row_index, row in enumerate(section.rows):
        font = BOLD_FONT if row_index >= first_total else cell.fontName
        cells = []
        for column_index, value in enumerate(row):
            kind = section.kind(row_index, column_index, value)
            text = cell_text(kind, value)
            room = widths[column_index] - CELL_PADDING
            one_line = "\n" not in text and (
                kind in ONE_LINE or stringWidth(text, font, cell.fontSize) <= room
            )
            if one_line:
                cells.append(text)
                if kind in NUMERIC:
                    right_aligned.append((column_index, row_index + 1))
                continue
            text = _text(text)
            if row_index >= first_total:
                text = f"<b>{text}</b>"
            style = styles["number"] if kind in NUMERIC else styles["cell"]
            cells.append(Paragraph(text, style))
        body.append(cells)
    # A row of plain strings on one line is a line high: given, so reportlab need not measure
    # every row again each time it breaks the table across a page.
    line_row = cell.leading + CELL_PADDING_VERTICAL
    heights = [None] + [
        line_row if row_index < first_total and all(isinstance(c, str) for c in cells) else None
        for row_index, cells in enumerate(body)
    ]
    table = Table([header, *body], colWidths=widths, rowHeights=heights, repeatRows=1)
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e7ecf1")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        # plain strings as the Paragraphs are set: the same font, size and line
        ("FONT", (0, 1), (-1, -1), cell.fontName, cell.fontSize, cell.leading),
        *_right_aligned(right_aligned, rows=len(body)),
    ]
    if section.total_rows:
        commands.append(("FONT", (0, first_total + 1), (-1, -1), BOLD_FONT, cell.fontSize))
    table.setStyle(TableStyle(commands))
    return table


def _right_aligned(cells, *, rows):
    """ALIGN commands for the (column, row) cells given: one per column whose every row is
    among them, one per cell elsewhere."""
    by_column = {}
    for column, row in cells:
        by_column.setdefault(column, []).append(row)
    commands = []
    for column, column_rows in by_column.items():
        if len(column_rows) == rows:
            commands.append(("ALIGN", (column, 1), (column, -1), "RIGHT"))
        else:
            commands.extend(("ALIGN", (column, row), (column, row), "RIGHT") for row in column_rows)
    return commands


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
