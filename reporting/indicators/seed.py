"""The funder's indicator definitions, loaded by ``seed_programme`` (idempotent).

Only indicators whose code is missing are created: a second run changes nothing, and what staff
changed (a target, a name) is never overwritten.
"""

from dataclasses import dataclass
from decimal import Decimal

from reporting.indicators.models import Indicator

COMPUTED = Indicator.Kind.COMPUTED
ENTERED = Indicator.Kind.ENTERED

# The targets are the programme's results at closure where the source gives them (70 teachers
# trained, 37 education programmes developed) and the plan otherwise (4 stages x 60 hours);
# where neither gives a figure the target is left empty for staff to set.
INDICATORS = [
    {
        "code": "people-trained",
        "name_lv": "Apmācītie izglītības speciālisti",
        "name_en": "Education specialists trained",
        "unit_lv": "personas",
        "unit_en": "persons",
        "target": Decimal("70"),
        "kind": COMPUTED,
        "computation": "people_trained",
    },
    {
        "code": "sessions-held",
        "name_lv": "Notikušās nodarbības",
        "name_en": "Sessions held",
        "unit_lv": "nodarbības",
        "unit_en": "sessions",
        "target": None,
        "kind": COMPUTED,
        "computation": "sessions_held",
    },
    {
        "code": "academic-hours",
        "name_lv": "Novadītās akadēmiskās stundas",
        "name_en": "Academic hours delivered",
        "unit_lv": "akadēmiskās stundas",
        "unit_en": "academic hours",
        "target": Decimal("240"),
        "kind": COMPUTED,
        "computation": "academic_hours_delivered",
    },
    {
        "code": "stage-completions",
        "name_lv": "Dalībnieki, kas pabeiguši posmu",
        "name_en": "Participants completing a stage",
        "unit_lv": "dalībnieki",
        "unit_en": "participants",
        "target": None,
        "kind": COMPUTED,
        "computation": "stage_completions",
    },
    {
        "code": "certificates-issued",
        "name_lv": "Izsniegtās apliecības",
        "name_en": "Certificates issued",
        "unit_lv": "apliecības",
        "unit_en": "certificates",
        "target": None,
        "kind": COMPUTED,
        "computation": "certificates_issued",
    },
    {
        "code": "programmes-developed",
        "name_lv": "Izstrādātās izglītības programmas",
        "name_en": "Education programmes developed",
        "unit_lv": "programmas",
        "unit_en": "programmes",
        "target": Decimal("37"),
        "kind": ENTERED,
        "computation": "",
    },
]


@dataclass
class IndicatorSeedReport:
    created: list[str]


def indicators_seed(*, dry_run: bool = False) -> IndicatorSeedReport:
    """Create the indicator definitions that are missing (by code); never change existing ones."""
    existing = set(Indicator.objects.values_list("code", flat=True))
    missing = [
        Indicator(order=(number + 1) * 10, baseline=Decimal("0"), **row)
        for number, row in enumerate(INDICATORS)
        if row["code"] not in existing
    ]
    if missing and not dry_run:
        for indicator in missing:
            indicator.save()  # one by one, so the history records their creation
    return IndicatorSeedReport(created=[indicator.code for indicator in missing])
