"""Splitting an amount of money over funding sources, exactly to the cent (pure: no database).

A *level* is the parts of one whole: the budget's sources without a parent split the total, and
the children of a source split that source's amount. At every level:

- The shares must add up to exactly 100%. More is refused (``SplitError``); so is less, because
  then the parts could not add up to their whole.
- A grant never exceeds its maximum rate: a grant part is ``whole * share / 100`` rounded DOWN to
  the unit (1.00 = whole euros, 0.01 = cents).
- Co-financing takes the rest: co-financing parts are rounded down to the cent, except the last
  co-financing part (in the given order), which takes whatever is left, so the parts add up to
  the whole exactly.
- A level with no co-financing part (grants only) cannot leave the rest to anyone: each grant
  rounds down to the unit, and the remainder is handed out one unit at a time by largest
  remainder (ties: the earlier part first); a piece smaller than the unit, left when the whole
  itself is not a multiple of the unit, goes to the next part in that order. Only here can a
  grant part exceed its exact rate, and by less than one unit: the sum must be exact.

Example (the seed): 2 011 605.00 at 90% grant / 10% co-financing, whole euros: the grant is
1 810 444.50 rounded down = 1 810 444, the municipality takes the rest, 201 161.
"""

from __future__ import annotations

import decimal
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from django.utils import formats
from django.utils.translation import gettext as _

CENT = Decimal("0.01")
EURO = Decimal("1.00")
HUNDRED = Decimal(100)
ROUNDING_UNITS = (EURO, CENT)

# Amounts up to 10^12 with cents times shares with two decimals fit easily in 28 digits; the
# context is fixed so a caller's context cannot round an intermediate product.
_CONTEXT = decimal.Context(prec=40, rounding=decimal.ROUND_HALF_EVEN, traps=[decimal.Inexact])


class SplitError(ValueError):
    """The shares cannot split a whole (they add up to more or less than 100%, or are invalid)."""


@dataclass(frozen=True)
class ShareSpec:
    """One funding source at its level: its share (percent of its parent's amount) and kind."""

    key: Hashable
    percent: Decimal
    is_grant: bool
    children: tuple[ShareSpec, ...] = ()
    name: str = ""


@dataclass(frozen=True)
class SplitPart:
    key: Hashable
    amount: Decimal
    percent: Decimal
    is_grant: bool
    children: tuple[SplitPart, ...] = ()
    name: str = ""


def money_split(
    *, amount: Decimal, shares: Sequence[ShareSpec], unit: Decimal = CENT
) -> tuple[SplitPart, ...]:
    """Split ``amount`` (>= 0, at most two decimals) over ``shares`` at every level."""
    amount = _as_money(amount)
    if unit not in ROUNDING_UNITS:
        raise SplitError(_("The rounding unit must be 1.00 or 0.01."))
    return _split_level(amount, tuple(shares), unit, _("the total"))


def split_totals(parts: Sequence[SplitPart]) -> dict[Hashable, Decimal]:
    """Every part's amount by key, at every depth."""
    totals = {}
    for part in parts:
        totals[part.key] = part.amount
        totals.update(split_totals(part.children))
    return totals


def shares_check(percents: Sequence[Decimal], *, whole_name: str = "") -> None:
    """Refuse shares that are out of range or add up to more than 100% (an incomplete level,
    under 100%, is allowed here: staff enter one source at a time)."""
    for percent in percents:
        if not (Decimal(0) < percent <= HUNDRED):
            raise SplitError(_("A share must be more than 0% and at most 100%."))
        if percent != percent.quantize(CENT):
            raise SplitError(_("A share has at most two decimals."))
    total = sum(percents, Decimal(0))
    if total > HUNDRED:
        raise SplitError(
            _("The shares of %(whole)s add up to %(total)s%%, more than 100%%.")
            % {"whole": whole_name or _("the total"), "total": _percent_text(total)}
        )


def money_text(amount: Decimal, currency: str = "EUR") -> str:
    """2 011 605,00 EUR in Latvian (2,011,605.00 EUR in English)."""
    number = formats.number_format(amount, 2, use_l10n=True, force_grouping=True)
    return f"{number} {currency}"


def _split_level(whole, shares, unit, whole_name):
    if not shares:
        return ()
    percents = [share.percent for share in shares]
    shares_check(percents, whole_name=whole_name)
    total = sum(percents, Decimal(0))
    if total != HUNDRED:
        raise SplitError(
            _("The shares of %(whole)s add up to %(total)s%%, not 100%%: the split is incomplete.")
            % {"whole": whole_name, "total": _percent_text(total)}
        )
    amounts = _level_amounts(whole, shares, unit)
    return tuple(
        SplitPart(
            key=share.key,
            amount=part_amount,
            percent=share.percent,
            is_grant=share.is_grant,
            children=_split_level(part_amount, share.children, unit, share.name or str(share.key)),
            name=share.name,
        )
        for share, part_amount in zip(shares, amounts, strict=True)
    )


def _level_amounts(whole, shares, unit):
    exact = [_CONTEXT.divide(_CONTEXT.multiply(whole, share.percent), HUNDRED) for share in shares]
    co_financing = [i for i, share in enumerate(shares) if not share.is_grant]
    if not co_financing:
        return _largest_remainder(whole, exact, unit)
    amounts = [
        _floor(value, unit if share.is_grant else CENT)
        for value, share in zip(exact, shares, strict=True)
    ]
    last = co_financing[-1]
    amounts[last] = whole - sum(amounts[:last] + amounts[last + 1 :], Decimal(0))
    return amounts


def _largest_remainder(whole, exact, unit):
    amounts = [_floor(value, unit) for value in exact]
    rest = whole - sum(amounts, Decimal(0))
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - amounts[i]), i))
    whole_units = int(rest // unit)
    for i in order[:whole_units]:
        amounts[i] += unit
    piece = rest - whole_units * unit
    if piece:
        amounts[order[whole_units]] += piece
    return amounts


def _floor(value, unit):
    return (value / unit).to_integral_value(rounding=ROUND_FLOOR) * unit


def _as_money(amount):
    amount = Decimal(amount)
    if amount < 0:
        raise SplitError(_("An amount to split cannot be negative."))
    if amount != amount.quantize(CENT):
        raise SplitError(_("An amount to split has at most two decimals (cents)."))
    return amount.quantize(CENT)


def _percent_text(value):
    return f"{value.normalize():f}"
