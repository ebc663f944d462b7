"""Figures as people read them: 2 011 605,00 EUR and 15.03.2021. in Latvian, 2,011,605.00 EUR
and 15.03.2021 in English; percentages with one decimal."""

from decimal import Decimal

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
