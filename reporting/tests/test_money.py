from decimal import Decimal

import pytest
from django.utils import translation

from reporting.money import CENT, EURO, ShareSpec, SplitError, money_split, split_totals

D = Decimal


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def grant(key, percent, *children):
    return ShareSpec(key=key, percent=D(percent), is_grant=True, children=children, name=key)


def co_financing(key, percent, *children):
    return ShareSpec(key=key, percent=D(percent), is_grant=False, children=children, name=key)


PUBLISHED = (
    grant("grant", 90, grant("nfm", 85), co_financing("state", 15)),
    co_financing("municipality", 10),
)


def test_the_published_figures_whole_euros():
    totals = split_totals(money_split(amount=D("2011605"), shares=PUBLISHED, unit=EURO))

    assert totals["grant"] == D("1810444.00")  # 90% is 1 810 444.50: the grant rounds down
    assert totals["municipality"] == D("201161.00")  # co-financing takes the rest
    assert totals["nfm"] == D("1538877.00")  # 85% of 1 810 444 is 1 538 877.40
    assert totals["state"] == D("271567.00")
    assert totals["nfm"] + totals["state"] == totals["grant"]


def test_the_published_figures_in_cents():
    totals = split_totals(money_split(amount=D("2011605"), shares=PUBLISHED, unit=CENT))

    assert totals["grant"] == D("1810444.50")
    assert totals["municipality"] == D("201160.50")
    assert totals["nfm"] == D("1538877.82")  # 85% of 1 810 444.50 = 1 538 877.825
    assert totals["state"] == D("271566.68")


@pytest.mark.parametrize(
    ("unit", "nfm", "state"),
    [(EURO, D("1538877.00"), D("271567.00")), (CENT, D("1538877.40"), D("271566.60"))],
)
def test_splitting_the_published_grant_85_15(unit, nfm, state):
    parts = money_split(
        amount=D("1810444"), shares=(grant("nfm", 85), co_financing("state", 15)), unit=unit
    )

    assert [part.amount for part in parts] == [nfm, state]


def test_a_level_of_grants_only_hands_out_the_rest_by_largest_remainder():
    # 85% = 1 538 877.40 and 15% = 271 566.60 round down to ... 877 and ... 566; the euro left
    # goes to the larger remainder (0.60).
    parts = money_split(amount=D("1810444"), shares=(grant("a", 85), grant("b", 15)), unit=EURO)

    assert [part.amount for part in parts] == [D("1538877.00"), D("271567.00")]


def test_grants_only_with_a_whole_that_is_not_a_whole_unit():
    parts = money_split(amount=D("100.50"), shares=(grant("a", 50), grant("b", 50)), unit=EURO)

    assert [part.amount for part in parts] == [D("50.50"), D("50.00")]  # ties: the first


def test_several_grants_each_round_down_and_the_last_co_financing_takes_the_rest():
    shares = (
        grant("a", "33.33"),
        co_financing("b", "33.33"),
        grant("c", "23.34"),
        co_financing("d", 10),
    )
    parts = money_split(amount=D("1000.99"), shares=shares, unit=EURO)

    assert [part.amount for part in parts] == [
        D("333.00"),  # 333.629967 rounded down to the euro
        D("333.62"),  # the same, rounded down to the cent
        D("233.00"),  # 233.631066
        D("101.37"),  # the rest
    ]
    assert sum(part.amount for part in parts) == D("1000.99")


def test_zero_splits_into_zeros():
    parts = money_split(amount=D("0"), shares=PUBLISHED, unit=EURO)

    assert set(split_totals(parts).values()) == {D("0.00")}


@pytest.mark.parametrize(
    ("shares", "message"),
    [
        ((grant("a", 90), co_financing("b", 20)), "110%, more than 100%"),
        ((grant("a", 90),), "90%, not 100%"),
        ((grant("a", 90, grant("x", 60), grant("y", 50)), co_financing("b", 10)), "a add up"),
        ((grant("a", 0), co_financing("b", 100)), "more than 0%"),
        ((grant("a", "100.001"),), "at most 100%"),
    ],
)
def test_shares_that_cannot_split_a_whole_are_refused_with_a_clear_message(shares, message):
    with pytest.raises(SplitError, match=message):
        money_split(amount=D("100"), shares=shares, unit=EURO)


@pytest.mark.parametrize("amount", [D("-0.01"), D("1.001")])
def test_amounts_that_are_not_money_are_refused(amount):
    with pytest.raises(SplitError):
        money_split(amount=amount, shares=PUBLISHED, unit=CENT)


def test_only_euros_or_cents_are_units():
    with pytest.raises(SplitError, match="1.00 or 0.01"):
        money_split(amount=D("100"), shares=PUBLISHED, unit=D("0.05"))


def test_the_refusal_is_in_latvian_too():
    with translation.override("lv"), pytest.raises(SplitError) as refusal:
        money_split(amount=D("100"), shares=(grant("a", 90), co_financing("b", 20)), unit=EURO)

    assert str(refusal.value) == "Daļu summa līmenī „kopsumma“ ir 110%, vairāk nekā 100%."
