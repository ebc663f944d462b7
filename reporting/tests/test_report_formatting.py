"""Numbers as the report's tables write them: formatted once per value and language."""

from decimal import Decimal

from django.utils import formats, translation

from reporting.report import formatting
from reporting.report.formatting import cell_text, number_text


def test_a_number_is_written_in_the_active_language():
    with translation.override("lv"):
        assert number_text(Decimal("2011605.5"), 2) == "2\xa0011\xa0605,50"
        assert cell_text("percent", Decimal("45.5")) == "45,5\xa0%"
    with translation.override("en"):
        assert number_text(Decimal("2011605.5"), 2) == "2,011,605.50"
        assert cell_text("percent", Decimal("45.5")) == "45.5%"
    with translation.override("lv"):
        assert number_text(Decimal("2011605.5"), 2) == "2\xa0011\xa0605,50"


def test_a_value_repeated_down_a_table_is_formatted_once(monkeypatch):
    """A table has a row per stage (thousands) and the same few numbers in them; Django's
    number_format looks the language's formats up on every call."""
    calls = []
    number_format = formats.number_format

    def counted(*args, **kwargs):
        calls.append(args)
        return number_format(*args, **kwargs)

    monkeypatch.setattr(formatting.formats, "number_format", counted)
    formatting._number_text.cache_clear()
    with translation.override("lv"):
        texts = {number_text(Decimal("32.00")) for _row in range(1000)}
    assert texts == {"32"}
    assert len(calls) == 1
