"""Looking at a rendered certificate: is every Latvian letter really drawn as that letter?

PDFium (pypdfium2) renders the page; for each Latvian letter of a text on it, the letter's box
(from PDFium's text layer) is cut out of the picture and compared with three references drawn by
FreeType (Pillow) from the shipped DejaVu Sans Bold: the letter itself, the same letter without
its mark (ā -> a), and the font's "missing glyph" box. The letter passes only if it is nearest to
itself. A font without Latvian letters draws a box, nothing, or the bare letter: all fail.
"""

import unicodedata
from dataclasses import dataclass
from functools import cache

import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFont, ImageOps

from participants.certificates.pdf import FONT_DIR

SCALE = 4  # 288 dpi: a 22 pt letter is about 90 pixels high
LATVIAN = set("āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ")
SAMPLE = (24, 32)  # every glyph is compared at this size
MISSING = "\ue000"  # a private-use character: no font has it, FreeType draws .notdef


@dataclass
class RenderedPage:
    image: Image.Image  # grayscale, white paper
    textpage: pdfium.PdfTextPage
    height_points: float

    def box_pixels(self, index):
        left, bottom, right, top = self.textpage.get_charbox(index, loose=True)
        to_y = lambda y: (self.height_points - y) * SCALE  # noqa: E731
        return (int(left * SCALE), int(to_y(top)), int(right * SCALE) + 1, int(to_y(bottom)) + 1)


def render_page(content: bytes) -> RenderedPage:
    document = pdfium.PdfDocument(content)
    page = document[0]
    image = page.render(scale=SCALE, grayscale=True).to_pil().convert("L")
    return RenderedPage(image=image, textpage=page.get_textpage(), height_points=page.get_height())


def ink(image: Image.Image) -> Image.Image | None:
    """The glyph's black-and-white ink, cut to its bounding box and scaled to SAMPLE."""
    binary = image.point(lambda value: 255 if value < 128 else 0)  # ink white on black
    box = binary.getbbox()
    if box is None:
        return None
    return binary.crop(box).resize(SAMPLE, Image.Resampling.BILINEAR)


@cache
def reference(character: str) -> Image.Image:
    font = ImageFont.truetype(str(FONT_DIR / "DejaVuSans-Bold.ttf"), 96)
    canvas = Image.new("L", (200, 200), 255)
    ImageDraw.Draw(canvas).text((40, 20), character, font=font, fill=0)
    return ink(canvas)


def distance(one: Image.Image, other: Image.Image) -> float:
    pixels = zip(one.tobytes(), other.tobytes(), strict=True)
    return sum(abs(a - b) for a, b in pixels) / (255 * SAMPLE[0] * SAMPLE[1])


def base_letter(character: str) -> str:
    return unicodedata.normalize("NFD", character)[0]


def nearest(glyph: Image.Image, character: str) -> str:
    candidates = {character: character, base_letter(character): base_letter(character)}
    candidates["missing glyph"] = MISSING
    return min(candidates, key=lambda name: distance(glyph, reference(candidates[name])))


def misdrawn_letters(content: bytes, text: str) -> list[str]:
    """The Latvian letters of ``text`` (as it stands on the first page) not drawn as themselves.

    The text is found in PDFium's text layer with its Latvian letters matching any character:
    a font that lacks them may also leave them out of the text layer. Where ``text`` is not on
    the page at all, every Latvian letter in it counts as wrong.
    """
    page = render_page(content)
    positions = find_text(page.textpage, text)
    if positions is None:
        return [char for char in text if char in LATVIAN]
    wrong = []
    for index, char in zip(positions, text, strict=True):
        if char not in LATVIAN:
            continue
        glyph = ink(ImageOps.autocontrast(page.image.crop(page.box_pixels(index))))
        if glyph is None or nearest(glyph, char) != char:
            wrong.append(char)
    return wrong


def find_text(textpage, text):
    """The page's character index of each character of ``text`` (None where it is a space)."""
    page_text = [textpage.get_text_range(i, 1) for i in range(textpage.count_chars())]
    for start in range(len(page_text)):
        positions = match_at(page_text, start, text)
        if positions is not None:
            return positions
    return None


def match_at(page_text, index, text):
    """White space in ``text`` matches the line breaks PDFium puts where a line wraps."""
    positions = []
    for char in text:
        if char.isspace():
            if index >= len(page_text) or not page_text[index].isspace():
                return None
            while index < len(page_text) and page_text[index].isspace():
                index += 1
            positions.append(None)
            continue
        while index < len(page_text) and page_text[index] in ("\r", "\n") and positions:
            index += 1
        if index >= len(page_text):
            return None
        if page_text[index] != char and char not in LATVIAN:
            return None
        positions.append(index)
        index += 1
    return positions
