"""How attended hours are written for people: ``22,5 of 60 academic hours (38%)``."""

from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _

from participants.attendance.selectors import StageProgress


def hours_text(value) -> str:
    """Academic hours in the active language's format, without trailing zeros (22,5; 60)."""
    trimmed = f"{Decimal(value or 0):.2f}".rstrip("0").rstrip(".")
    return formats.number_format(Decimal(trimmed))


def progress_text(progress: StageProgress) -> str:
    return _("%(attended)s of %(planned)s academic hours (%(percent)s%%)") % {
        "attended": hours_text(progress.hours_attended),
        "planned": hours_text(progress.planned_hours),
        "percent": progress.percent_whole,
    }
