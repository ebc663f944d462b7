"""Property-based tests of the split: any amount, any valid tree of shares."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from reporting.money import CENT, EURO, HUNDRED, ShareSpec, SplitPart, money_split

amounts = st.integers(min_value=0, max_value=10**11).map(lambda cents: Decimal(cents) / 100)
units = st.sampled_from([EURO, CENT])


@st.composite
def percents_adding_to_100(draw):
    """1..5 shares of at least 0.01% with two decimals that add up to exactly 100%."""
    count = draw(st.integers(min_value=1, max_value=5))
    cuts = sorted(draw(st.sets(st.integers(1, 9999), min_size=count - 1, max_size=count - 1)))
    bounds = [0, *cuts, 10000]
    return [Decimal(high - low) / 100 for low, high in zip(bounds, bounds[1:], strict=False)]


@st.composite
def levels(draw, depth=0):
    percents = draw(percents_adding_to_100())
    shares = []
    for number, percent in enumerate(percents):
        children = ()
        if depth < 2 and draw(st.booleans()):
            children = tuple(draw(levels(depth=depth + 1)))
        shares.append(
            ShareSpec(
                key=(depth, number),
                percent=percent,
                is_grant=draw(st.booleans()),
                children=children,
            )
        )
    return tuple(shares)


def check_level(whole: Decimal, parts: tuple[SplitPart, ...], unit: Decimal):
    assert sum(part.amount for part in parts) == whole  # exact, to the cent
    has_co_financing = any(not part.is_grant for part in parts)
    for part in parts:
        assert part.amount >= 0
        assert part.amount == part.amount.quantize(CENT)
        exact = whole * part.percent / HUNDRED
        if part.is_grant and has_co_financing:
            assert part.amount <= exact  # a grant never exceeds its rate
            assert exact - part.amount < unit
            assert part.amount % unit == 0  # rounded to the unit
        elif part.is_grant:
            assert abs(part.amount - exact) < unit  # grants only: within one unit
        else:
            assert part.amount >= 0
        if part.children:
            check_level(part.amount, part.children, unit)


@settings(max_examples=400, deadline=None)
@given(amount=amounts, shares=levels(), unit=units)
def test_every_level_adds_up_and_no_grant_exceeds_its_rate(amount, shares, unit):
    parts = money_split(amount=amount, shares=shares, unit=unit)

    check_level(amount, parts, unit)


@settings(max_examples=200, deadline=None)
@given(amount=amounts, grant_percent=st.integers(1, 9999), unit=units)
def test_grant_and_co_financing_the_grant_rounds_down_co_financing_takes_the_rest(
    amount, grant_percent, unit
):
    percent = Decimal(grant_percent) / 100
    grant, rest = money_split(
        amount=amount,
        shares=(
            ShareSpec(key="grant", percent=percent, is_grant=True),
            ShareSpec(key="rest", percent=HUNDRED - percent, is_grant=False),
        ),
        unit=unit,
    )

    exact = amount * percent / HUNDRED
    assert grant.amount == (exact // unit) * unit
    assert rest.amount == amount - grant.amount
