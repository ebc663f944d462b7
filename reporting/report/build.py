"""The funder's progress report for a period, as plain data (dataclasses).

``progress_report_build`` makes a fixed number of queries whatever the size of the data (see
``tests/test_report_queries.py``); the XLSX, PDF and CSV files, the dashboard and the frozen copy
of a submitted report are all made from the structure it returns. Texts (names of stages,
headings, sources) are in the language active when it is built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language

from reporting.budget.models import Budget, BudgetHeading, Expenditure, FundingSource
from reporting.budget.selectors import shares_tree, spending_by_source, split_rows
from reporting.indicators.computations import ProgrammeFigures, Window, compute
from reporting.indicators.models import Indicator, IndicatorValue
from reporting.money import CENT, HUNDRED, SplitError, money_split, split_totals
from reporting.report.period import ReportPeriod

MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO_MONEY = Value(Decimal("0.00"), output_field=MONEY)
PERCENT = Decimal("0.1")


def percent_of(part, whole) -> Decimal | None:
    """``part`` as a percentage of ``whole`` to one decimal (None when there is no whole)."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(PERCENT, rounding=ROUND_HALF_UP)


@dataclass
class Cover:
    programme_title: str
    project_number: str
    agreement_number: str
    funding_frame: str
    organiser: str
    organiser_address: str
    partner: str
    acknowledgement: str
    period_start: date
    period_end: date
    requested_start: date
    requested_end: date
    clipped: bool
    programme_start: date | None
    programme_end: date
    generated_at: datetime
    generated_by: str
    language: str


@dataclass
class IndicatorRow:
    code: str
    name: str
    unit: str
    baseline: Decimal
    target: Decimal | None
    in_period: Decimal
    cumulative: Decimal
    percent_of_target: Decimal | None
    kind: str
    level: int = 0  # 1 for a breakdown row (by role, municipality, sex)


@dataclass
class StageRow:
    order: int
    title: str
    planned: Decimal
    scheduled: Decimal
    delivered_in_period: Decimal
    delivered_cumulative: Decimal
    percent_delivered: Decimal | None


@dataclass
class HeadingRow:
    code: str
    name: str
    planned: Decimal
    spent_in_period: Decimal
    spent_cumulative: Decimal
    remaining: Decimal
    percent_spent: Decimal | None


@dataclass
class SourceRow:
    key: str
    name: str
    kind: str
    level: int
    share: Decimal
    planned: Decimal
    spent_in_period: Decimal
    spent_cumulative: Decimal
    required_minimum_share: Decimal | None
    planned_share_of_total: Decimal | None
    spent_share_of_total: Decimal | None
    minimum_met: bool | None


@dataclass
class IneligibleRow:
    date: date
    heading: str
    supplier: str
    document_number: str
    amount: Decimal
    note: str


@dataclass
class Money:
    has_budget: bool
    currency: str = "EUR"
    total_cost: Decimal = Decimal("0.00")
    spent_in_period: Decimal = Decimal("0.00")
    spent_cumulative: Decimal = Decimal("0.00")
    ineligible_in_period: Decimal = Decimal("0.00")
    ineligible_cumulative: Decimal = Decimal("0.00")
    headings: list[HeadingRow] = field(default_factory=list)
    sources: list[SourceRow] = field(default_factory=list)
    ineligible: list[IneligibleRow] = field(default_factory=list)
    split_problem: str = ""


@dataclass
class Pace:
    """Spending against time: the share of the budget spent vs the share of time elapsed."""

    spent_share: Decimal | None
    time_elapsed_share: Decimal | None
    days_elapsed: int
    days_total: int


@dataclass
class ProgressReport:
    cover: Cover
    indicators: list[IndicatorRow]
    stages: list[StageRow]
    money: Money
    pace: Pace


def progress_report_build(*, programme, period: ReportPeriod, generated_by: str, now=None):
    """The report for ``period`` (already resolved by ``period_resolve``)."""
    now = now or timezone.now()
    window = Window(start=period.start_at, end=period.end_at, now=now)
    figures = ProgrammeFigures(programme=programme, window=window)
    money = _money(programme=programme, period=period)
    return ProgressReport(
        cover=_cover(programme, period, now=now, generated_by=generated_by),
        indicators=_indicators(figures, period),
        stages=_stages(figures),
        money=money,
        pace=_pace(money, period),
    )


def _cover(programme, period, *, now, generated_by):
    return Cover(
        programme_title=programme.title,
        project_number=programme.project_number,
        agreement_number=programme.agreement_number,
        funding_frame=programme.funding_frame,
        organiser=programme.organiser,
        organiser_address=programme.organiser_address,
        partner=programme.partner,
        acknowledgement=programme.acknowledgement,
        period_start=period.start,
        period_end=period.end,
        requested_start=period.requested_start,
        requested_end=period.requested_end,
        clipped=period.clipped,
        programme_start=period.programme_start,
        programme_end=period.programme_end,
        generated_at=timezone.localtime(now).replace(microsecond=0),
        generated_by=generated_by,
        language=get_language() or "lv",
    )


# --- indicators -------------------------------------------------------------------------------


def _entered_values(period):
    """Entered indicator id -> (in the period, cumulative): values whose period ends in the
    report's period / by its end (one query)."""
    up_to_end = Q(period_end__lte=period.end)
    rows = (
        IndicatorValue.objects.filter(up_to_end)
        .order_by()
        .values("indicator_id")
        .annotate(
            cumulative=Sum("value"),
            in_period=Coalesce(Sum("value", filter=Q(period_end__gte=period.start)), ZERO_MONEY),
        )
    )
    return {row["indicator_id"]: (row["in_period"], row["cumulative"]) for row in rows}


def _indicators(figures, period) -> list[IndicatorRow]:
    indicators = list(Indicator.objects.order_by("order", "code"))
    entered = _entered_values(period) if any(i.kind == "entered" for i in indicators) else {}
    rows = []
    for indicator in indicators:
        breakdown = ()
        if indicator.kind == Indicator.Kind.COMPUTED:
            figure = compute(figures, indicator.computation)
            in_period, cumulative, breakdown = figure.in_period, figure.cumulative, figure.breakdown
        else:
            in_period, cumulative = entered.get(indicator.pk, (Decimal("0"), Decimal("0")))
        rows.append(
            IndicatorRow(
                code=indicator.code,
                name=indicator.name,
                unit=indicator.unit,
                baseline=indicator.baseline,
                target=indicator.target,
                in_period=Decimal(in_period),
                cumulative=Decimal(cumulative),
                percent_of_target=percent_of(cumulative, indicator.target),
                kind=indicator.kind,
            )
        )
        for part in breakdown:
            rows.append(
                IndicatorRow(
                    code=f"{indicator.code}.{part.dimension}.{part.key}",
                    name=part.label,
                    unit=indicator.unit,
                    baseline=Decimal("0"),
                    target=None,
                    in_period=part.in_period,
                    cumulative=part.cumulative,
                    percent_of_target=None,
                    kind=indicator.kind,
                    level=1,
                )
            )
    return rows


def _stages(figures) -> list[StageRow]:
    return [
        StageRow(
            order=row.order,
            title=row.title,
            planned=row.planned,
            scheduled=row.scheduled,
            delivered_in_period=row.delivered_in_period,
            delivered_cumulative=row.delivered_cumulative,
            percent_delivered=percent_of(row.delivered_cumulative, row.planned),
        )
        for row in figures.stage_hours
    ]


# --- money ------------------------------------------------------------------------------------


def _money(*, programme, period) -> Money:
    budget = Budget.objects.filter(programme=programme).first()
    if budget is None:
        return Money(has_budget=False)
    in_period = Q(expenditures__date__gte=period.start, expenditures__date__lte=period.end)
    up_to_end = Q(expenditures__date__lte=period.end)
    eligible = Q(expenditures__eligible=True)
    headings = list(
        BudgetHeading.objects.filter(budget=budget)
        .annotate(
            spent_in_period=Coalesce(
                Sum("expenditures__amount", filter=eligible & in_period), ZERO_MONEY
            ),
            spent_cumulative=Coalesce(
                Sum("expenditures__amount", filter=eligible & up_to_end), ZERO_MONEY
            ),
        )
        .order_by("order", "code")
    )
    spending = list(
        Expenditure.objects.filter(heading__budget=budget, date__lte=period.end)
        .select_related("heading")
        .order_by("date", "pk")
    )
    money = Money(
        has_budget=True,
        currency=budget.currency,
        total_cost=budget.total_cost,
        headings=[_heading_row(heading) for heading in headings],
    )
    eligible_items = [item for item in spending if item.eligible]
    money.spent_cumulative = sum((item.amount for item in eligible_items), Decimal("0.00"))
    money.spent_in_period = sum(
        (item.amount for item in eligible_items if item.date >= period.start), Decimal("0.00")
    )
    ineligible = [item for item in spending if not item.eligible]
    money.ineligible_cumulative = sum((item.amount for item in ineligible), Decimal("0.00"))
    money.ineligible = [
        IneligibleRow(
            date=item.date,
            heading=str(item.heading),
            supplier=item.supplier,
            document_number=item.document_number,
            amount=item.amount,
            note=item.note,
        )
        for item in ineligible
        if item.date >= period.start
    ]
    money.ineligible_in_period = sum((row.amount for row in money.ineligible), Decimal("0.00"))
    sources = list(FundingSource.objects.filter(budget=budget).order_by("order", "pk"))
    try:
        money.sources = _source_rows(budget, sources, eligible_items, period)
    except SplitError as error:
        money.split_problem = str(error)
    return money


def _heading_row(heading) -> HeadingRow:
    heading.spent_in_period = Decimal(heading.spent_in_period).quantize(CENT)
    heading.spent_cumulative = Decimal(heading.spent_cumulative).quantize(CENT)
    return HeadingRow(
        code=heading.code,
        name=heading.name,
        planned=heading.planned_amount,
        spent_in_period=heading.spent_in_period,
        spent_cumulative=heading.spent_cumulative,
        remaining=heading.planned_amount - heading.spent_cumulative,
        percent_spent=percent_of(heading.spent_cumulative, heading.planned_amount),
    )


def _reaches(amount, whole, minimum) -> bool:
    """Exactly (no rounding that could flatter): amount is at least minimum % of whole."""
    return Decimal(amount) * HUNDRED >= Decimal(minimum) * Decimal(whole)


def _source_rows(budget, sources, eligible_items, period) -> list[SourceRow]:
    """Each source's planned amount (the total split at the budget's unit) and its part of the
    eligible spending (each item split to the cent, then summed), in tree order. The required
    minimum of a co-financing source is checked against the total cost (planned) and against
    the eligible spending so far (actual)."""
    if not sources:
        return []
    shares = shares_tree(sources)
    planned = split_totals(
        money_split(amount=budget.total_cost, shares=shares, unit=budget.grant_rounding_unit)
    )
    cumulative, in_period = spending_by_source(
        shares=shares, expenditures=eligible_items, counts=lambda item: item.date >= period.start
    )
    spent_total = sum((item.amount for item in eligible_items), Decimal("0.00"))
    by_pk = {source.pk: source for source in sources}
    rows = []
    for depth, part in split_rows(shares):
        source = by_pk[part.key]
        minimum = source.required_minimum_share
        spent = cumulative.get(part.key, Decimal("0.00"))
        met = None
        if minimum is not None:
            met = _reaches(planned[part.key], budget.total_cost, minimum)
            if spent_total:
                met = met and _reaches(spent, spent_total, minimum)
        rows.append(
            SourceRow(
                key=str(source.pk),
                name=source.name,
                kind=source.kind,
                level=depth,
                share=source.share,
                planned=planned[part.key],
                spent_in_period=in_period.get(part.key, Decimal("0.00")),
                spent_cumulative=spent,
                required_minimum_share=minimum,
                planned_share_of_total=percent_of(planned[part.key], budget.total_cost),
                spent_share_of_total=percent_of(spent, spent_total),
                minimum_met=met,
            )
        )
    return rows


def _pace(money: Money, period: ReportPeriod) -> Pace:
    start, end = period.programme_start, period.programme_end
    if start is None or end < start:
        return Pace(
            spent_share=percent_of(money.spent_cumulative, money.total_cost),
            time_elapsed_share=None,
            days_elapsed=0,
            days_total=0,
        )
    days_total = (end - start).days + 1
    days_elapsed = max(0, (min(period.end, end) - start).days + 1)
    return Pace(
        spent_share=percent_of(money.spent_cumulative, money.total_cost),
        time_elapsed_share=percent_of(days_elapsed, days_total),
        days_elapsed=days_elapsed,
        days_total=days_total,
    )
