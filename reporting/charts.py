"""Bar charts drawn on the server as inline SVG (no script, nothing from a CDN: the site's
Content Security Policy allows them), each with its numbers for a table beside it."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from reporting.report.build import ProgressReport
from reporting.report.formatting import money_text, number_text

COLOURS = ["#1f5f99", "#e07b00"]  # contrast >= 3:1 against white, told apart by position too
LABEL_WIDTH = 260
BAR_AREA = 420
BAR_HEIGHT = 16
GAP = 10


@dataclass
class Bar:
    value: Decimal
    text: str
    width: float = 0
    y: float = 0
    colour: str = ""


@dataclass
class ChartRow:
    label: str
    bars: list[Bar]
    y: float = 0


@dataclass
class BarChart:
    key: str
    title: str
    series: list[str]
    rows: list[ChartRow]
    width: int = LABEL_WIDTH + BAR_AREA + 140
    height: float = 0
    legend: list = field(default_factory=list)

    def layout(self):
        largest = max((bar.value for row in self.rows for bar in row.bars), default=0) or 1
        y = 30
        for row in self.rows:
            row.y = y
            for index, bar in enumerate(row.bars):
                bar.colour = COLOURS[index % len(COLOURS)]
                bar.width = round(float(bar.value) / float(largest) * BAR_AREA, 1)
                bar.y = y + index * (BAR_HEIGHT + 2)
            y += len(row.bars) * (BAR_HEIGHT + 2) + GAP
        self.height = y
        self.legend = [
            (name, COLOURS[index % len(COLOURS)], LABEL_WIDTH + index * 180)
            for index, name in enumerate(self.series)
        ]
        return self


def report_charts(report: ProgressReport) -> list[BarChart]:
    charts = [
        BarChart(
            key="hours",
            title=_("Academic hours per stage: planned and delivered"),
            series=[_("planned"), _("delivered")],
            rows=[
                ChartRow(
                    f"{row.order}. {row.title}",
                    [
                        Bar(row.planned, number_text(row.planned)),
                        Bar(row.delivered_cumulative, number_text(row.delivered_cumulative)),
                    ],
                )
                for row in report.stages
            ],
        ),
        _people_chart(report, "role", _("People trained by role")),
        _people_chart(report, "municipality", _("People trained by municipality")),
    ]
    money = report.money
    if money.has_budget:
        charts.append(
            BarChart(
                key="headings",
                title=_("Spending against plan by budget heading"),
                series=[_("planned"), _("spent")],
                rows=[
                    ChartRow(
                        f"{row.code} {row.name}",
                        [
                            Bar(row.planned, money_text(row.planned, money.currency)),
                            Bar(
                                row.spent_cumulative,
                                money_text(row.spent_cumulative, money.currency),
                            ),
                        ],
                    )
                    for row in money.headings
                ],
            )
        )
        charts.append(
            BarChart(
                key="sources",
                title=_("Spending against plan by funding source"),
                series=[_("planned"), _("spent")],
                rows=[
                    ChartRow(
                        row.name,
                        [
                            Bar(row.planned, money_text(row.planned, money.currency)),
                            Bar(
                                row.spent_cumulative,
                                money_text(row.spent_cumulative, money.currency),
                            ),
                        ],
                    )
                    for row in money.sources
                ],
            )
        )
    return [chart.layout() for chart in charts]


def _people_chart(report, dimension, title) -> BarChart:
    trained = next((row for row in report.indicators if row.code == "people-trained"), None)
    prefix = f"people-trained.{dimension}."
    rows = [
        ChartRow(row.name.strip(), [Bar(row.cumulative, number_text(row.cumulative))])
        for row in report.indicators
        if trained and row.code.startswith(prefix)
    ]
    return BarChart(key=f"people-{dimension}", title=title, series=[_("people")], rows=rows)
