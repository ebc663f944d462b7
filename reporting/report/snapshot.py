"""A report as JSON (the frozen copy of a submitted report) and back, and the differences
between a frozen report and the live figures of the same period."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from reporting.report.build import ProgressReport


def report_to_json(report: ProgressReport) -> dict:
    """Plain JSON types: decimals and dates as strings, so nothing is lost or rounded."""
    return json.loads(json.dumps(dataclasses.asdict(report), cls=DjangoJSONEncoder))


def report_from_json(data: dict) -> ProgressReport:
    return _load(ProgressReport, data)


def _load(kind, value):
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        inner = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return _load(inner[0], value)
    if origin is list:
        (item,) = typing.get_args(kind)
        return [_load(item, element) for element in value]
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return kind(
            **{
                f.name: _load(hints[f.name], value[f.name])
                for f in dataclasses.fields(kind)
                if f.name in value
            }
        )
    if kind is Decimal:
        return Decimal(value)
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    return value


@dataclass(frozen=True)
class Difference:
    section: str
    item: str
    figure: str
    submitted: object
    live: object


def _figures(report: ProgressReport) -> dict:
    """(section, key) -> (item label, {figure label: value}) for every reported number."""
    rows = {}
    for row in report.indicators:
        rows[("indicators", row.code)] = (
            row.name,
            {_("in the period"): row.in_period, _("cumulative"): row.cumulative},
        )
    for row in report.stages:
        rows[("stages", str(row.order))] = (
            f"{row.order}. {row.title}",
            {
                _("delivered in the period"): row.delivered_in_period,
                _("delivered, cumulative"): row.delivered_cumulative,
            },
        )
    for row in report.money.headings:
        rows[("headings", row.code)] = (
            f"{row.code} {row.name}",
            {
                _("spent in the period"): row.spent_in_period,
                _("spent, cumulative"): row.spent_cumulative,
            },
        )
    for row in report.money.sources:
        rows[("sources", row.key)] = (
            row.name,
            {
                _("spent in the period"): row.spent_in_period,
                _("spent, cumulative"): row.spent_cumulative,
            },
        )
    rows[("money", "ineligible")] = (
        _("Ineligible spending"),
        {
            _("in the period"): report.money.ineligible_in_period,
            _("cumulative"): report.money.ineligible_cumulative,
        },
    )
    return rows


def _spent(row) -> dict:
    return {
        _("spent in the period"): row.spent_in_period,
        _("spent, cumulative"): row.spent_cumulative,
    }


SECTIONS = {
    "indicators": lambda: _("Indicators"),
    "stages": lambda: _("Hours per stage"),
    "headings": lambda: _("Budget headings"),
    "sources": lambda: _("Funding sources"),
    "money": lambda: _("Spending"),
}


def report_differences(*, submitted: ProgressReport, live: ProgressReport) -> list[Difference]:
    """Every figure that differs between the submitted report and the live one (missing on
    either side counts as a difference)."""
    frozen, current = _figures(submitted), _figures(live)
    differences = []
    for key in list(frozen) + [key for key in current if key not in frozen]:
        label, old = frozen.get(key, (None, {}))
        live_label, new = current.get(key, (None, {}))
        for figure in list(old) + [name for name in new if name not in old]:
            before, after = old.get(figure), new.get(figure)
            if before != after:
                differences.append(
                    Difference(
                        section=SECTIONS[key[0]](),
                        item=label or live_label,
                        figure=figure,
                        submitted=before,
                        live=after,
                    )
                )
    return differences
