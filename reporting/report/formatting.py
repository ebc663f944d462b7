"""Figures as people read them: 2 011 605,00 EUR and 15.03.2021. in Latvian, 2,011,605.00 EUR
and 15.03.2021 in English; percentages with one decimal."""

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from django.utils import formats, timezone
from django.utils.translation import get_language


def _latvian() -> bool:
    return not (get_language() or "lv").startswith("en")


def number_text(value, places: int | None = None) -> str:
    if value is None:
        return "–"
    value = Decimal(value)
    if places is None:
        places = 0 if value == value.to_integral_value() else 2
    return _number_text(value, places, get_language())


@lru_cache(maxsize=4096)
def _number_text(value: Decimal, places: int, language: str | None) -> str:
    """Remembered: a report's tables repeat the same few numbers thousands of times (a row per
    stage), and Django's formatting looks the language's formats up on every call."""
    return formats.number_format(value, places, use_l10n=True, force_grouping=True)


def money_text(value, currency: str = "EUR") -> str:
    if value is None:
        return "–"
    return f"{number_text(value, 2)}\xa0{currency}"


def percent_text(value) -> str:
    if value is None:
        return "–"
    return f"{number_text(value, 1)}\xa0%" if _latvian() else f"{number_text(value, 1)}%"


def day_text(day) -> str:
    if day is None:
        return "…"
    return f"{day:%d.%m.%Y}." if _latvian() else f"{day:%d.%m.%Y}"


def moment_text(moment) -> str:
    moment = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{day_text(moment.date())} {moment:%H:%M}"


def period_text(start, end) -> str:
    return f"{day_text(start)}–{day_text(end)}"


def cell_text(kind: str, value) -> str:
    """A cell of a report table (``report.tables``) as text, for the PDF and the web page."""
    if value is None:
        return "–" if kind in ("number", "money", "percent") else ""
    if kind == "money":  # the currency is in the column's label
        return number_text(value, 2)
    if kind == "percent":
        return percent_text(value)
    if kind == "number":
        return number_text(value)
    if isinstance(value, datetime):
        return moment_text(value)
    if isinstance(value, date):
        return day_text(value)
    return str(value)
