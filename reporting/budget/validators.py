"""Checks on an expenditure's attached scan: a PDF, JPEG or PNG of at most 10 MB.

The extension is not trusted alone: the file must also start with its format's signature, so a
renamed executable or HTML page is refused.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_SCAN_BYTES = 10 * 1024 * 1024
SCAN_SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}


def validate_scan(scan):
    if getattr(scan, "_committed", False):
        return  # stored earlier, and checked when it was uploaded
    if scan.size > MAX_SCAN_BYTES:
        raise ValidationError(
            _("The scan is too large: at most %(size)s MB.") % {"size": MAX_SCAN_BYTES // 2**20},
            code="scan_too_large",
        )
    extension = Path(scan.name).suffix.lower()
    if extension not in SCAN_SIGNATURES:
        raise ValidationError(
            _("Attach the scan as a PDF, JPEG or PNG file."), code="scan_wrong_type"
        )
    position = scan.tell() if hasattr(scan, "tell") else 0
    scan.seek(0)
    head = scan.read(16)
    scan.seek(position)
    if not head.startswith(SCAN_SIGNATURES[extension]):
        raise ValidationError(
            _("The file's content is not a %(type)s file. Attach the scan as a PDF, JPEG or PNG.")
            % {"type": extension.lstrip(".").upper()},
            code="scan_wrong_content",
        )
