"""A small programme with everything the progress report reads, and its figures by hand.

The reporting period used by the tests is 1 February – 31 March 2025. Sessions (4 academic
hours each; stage 1 planned 16 hours, threshold 75% = 12 hours; stage 2 planned 8 hours):
  s1 15.01.2025 (stage 1, before the period)      s2 10.02.2025 (stage 1)
  s3 05.03.2025 (stage 1)                          s4 2099 (stage 1, not held yet)
  s5 20.03.2025 (stage 2)                          d1 15.02.2025 (demonstration stage)
People:
  anna  teacher, Daugavpils, female: stage 1 confirmed, present s1 s2 s3 (12 h: completes in
        the period, at s3); certificate issued 10.03.2025
  boriss career counsellor, Rēzekne, male: stage 1 confirmed, present s1 only (trained before
        the period); certificate issued 20.01.2025 and revoked
  cilda methodologist, Daugavpils, sex not given: stage 2 confirmed, present s5 (4 of 8 h)
  dace  teacher, Daugavpils: stage 1 confirmed, absent at s1 s2 (not trained)
  edgars teacher, Jelgava, male: stage 1 waiting list, present s2 (not counted: not confirmed)
  demo  teacher: demonstration stage confirmed, present d1, certificate (never counted)
Money (budget 2 011 605,00, whole euros; 90% grant split 85/15, 10% municipality, minimum 10%):
  heading A "Personāla izmaksas" planned 1 000 000,00: 1 000,00 on 10.01.2025 (before),
        2 500,55 on 15.02.2025, 0,99 on 31.03.2025; ineligible 300,00 on 01.03.2025
  heading B "Aprīkojums" planned 1 011 605,00: 10 000,00 on 01.04.2025 (after the period)
  entered indicator "programmes-developed": 3 for 2024, 5 for 01.02.–31.03.2025
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from courses.tests.factories import ProgrammeFactory, SessionFactory, StageFactory, riga
from participants.attendance.models import Attendance
from participants.attendance.tests.factories import AttendanceFactory
from participants.certificates.models import Certificate
from participants.tests.factories import ParticipantFactory, RegistrationFactory
from reporting.budget.models import Budget, BudgetHeading, Expenditure, FundingSource
from reporting.indicators.models import Indicator, IndicatorValue
from reporting.indicators.seed import indicators_seed

PERIOD = (date(2025, 2, 1), date(2025, 3, 31))
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@dataclass
class ReportData:
    programme: object
    stage1: object
    stage2: object
    demo: object
    sessions: dict
    people: dict
    budget: object
    sources: dict
    headings: dict


def _session(stage, day, hours="4"):
    start = riga(day.year, day.month, day.day, 10)
    return SessionFactory(
        stage=stage, starts_at=start, ends_at=start + timedelta(hours=3), academic_hours=hours
    )


def _attend(person, session, present=True):
    AttendanceFactory(
        participant=person,
        session=session,
        status=Attendance.Status.PRESENT if present else Attendance.Status.ABSENT,
        minutes_present=180 if present else 0,
    )


def _certificate(person, stage, sequence, issued, revoked=None):
    return Certificate.objects.create(
        participant=person,
        stage=stage,
        programme=stage.programme,
        sequence=sequence,
        number=f"DIC-{sequence}",
        verification_code=f"CODE{sequence:012d}",
        holder_name=person.full_name,
        hours_attended=Decimal("12"),
        hours_planned=stage.planned_academic_hours,
        issued_at=issued,
        revoked_at=revoked,
        revocation_reason="Kļūda" if revoked else "",
    )


def build_report_data(*, extra_people=0) -> ReportData:
    programme = ProgrammeFactory(end_date=date(2025, 12, 31))
    opens = riga(2025, 1, 1)
    stage1 = StageFactory(
        programme=programme,
        order=1,
        title_lv="Eksaktās zinātnes",
        title_en="Exact sciences",
        planned_academic_hours=Decimal("16"),
        completion_threshold_percent=75,
        registration_opens_at=opens,
    )
    stage2 = StageFactory(
        programme=programme,
        order=2,
        title_lv="Ģeogrāfija un ķīmija",
        title_en="Geography and chemistry",
        planned_academic_hours=Decimal("8"),
        registration_opens_at=opens,
    )
    demo = StageFactory(
        programme=programme, order=9, is_demo=True, title_lv="DEMO", registration_opens_at=opens
    )
    s = {
        "s1": _session(stage1, date(2025, 1, 15)),
        "s2": _session(stage1, date(2025, 2, 10)),
        "s3": _session(stage1, date(2025, 3, 5)),
        "s4": _session(stage1, date(2099, 3, 5)),
        "s5": _session(stage2, date(2025, 3, 20)),
        "d1": _session(demo, date(2025, 2, 15)),
    }
    people = {
        "anna": ParticipantFactory(
            first_name="Anna", role="teacher", municipality="daugavpils", sex="female"
        ),
        "boriss": ParticipantFactory(
            first_name="Boriss", role="career_counsellor", municipality="rezekne", sex="male"
        ),
        "cilda": ParticipantFactory(
            first_name="Cilda", role="methodologist", municipality="daugavpils", sex="not_said"
        ),
        "dace": ParticipantFactory(first_name="Dace", role="teacher", municipality="daugavpils"),
        "edgars": ParticipantFactory(
            first_name="Edgars", role="teacher", municipality="jelgava", sex="male"
        ),
        "demo": ParticipantFactory(first_name="Demo", role="teacher"),
    }
    for name, stage in [("anna", stage1), ("boriss", stage1), ("cilda", stage2), ("dace", stage1)]:
        RegistrationFactory(participant=people[name], stage=stage, confirmed=True)
    RegistrationFactory(participant=people["edgars"], stage=stage1, waiting=True)
    RegistrationFactory(participant=people["demo"], stage=demo, confirmed=True)
    for session in ("s1", "s2", "s3"):
        _attend(people["anna"], s[session])
    _attend(people["boriss"], s["s1"])
    _attend(people["boriss"], s["s2"], present=False)
    _attend(people["cilda"], s["s5"])
    _attend(people["dace"], s["s1"], present=False)
    _attend(people["dace"], s["s2"], present=False)
    _attend(people["edgars"], s["s2"])
    _attend(people["demo"], s["d1"])
    for _number in range(extra_people):
        # More of the same: people trained before the period (scale for the query-count test).
        extra = ParticipantFactory(role="other", municipality="riga")
        RegistrationFactory(participant=extra, stage=stage1, confirmed=True)
        _attend(extra, s["s1"])
    _certificate(people["anna"], stage1, 1, riga(2025, 3, 10, 12))
    _certificate(people["boriss"], stage1, 2, riga(2025, 1, 20, 12), revoked=riga(2025, 1, 21))
    _certificate(people["demo"], demo, 3, riga(2025, 2, 20, 12))

    budget = Budget.objects.create(
        programme=programme, total_cost=Decimal("2011605.00"), grant_rounding_unit=Decimal("1.00")
    )
    grant = FundingSource.objects.create(
        budget=budget,
        name_lv="EEZ un Norvēģijas granti",
        name_en="EEA and Norway Grants",
        kind="grant",
        share=Decimal("90"),
        order=1,
    )
    sources = {
        "grant": grant,
        "norway": FundingSource.objects.create(
            budget=budget,
            parent=grant,
            name_lv="Norvēģijas finanšu instruments",
            kind="grant",
            share=Decimal("85"),
            order=1,
        ),
        "state": FundingSource.objects.create(
            budget=budget,
            parent=grant,
            name_lv="Valsts budžets",
            kind="co_financing",
            share=Decimal("15"),
            order=2,
        ),
        "municipality": FundingSource.objects.create(
            budget=budget,
            name_lv="Daugavpils valstspilsētas pašvaldība",
            kind="co_financing",
            share=Decimal("10"),
            required_minimum_share=Decimal("10"),
            order=2,
        ),
    }
    headings = {
        "A": BudgetHeading.objects.create(
            budget=budget,
            code="A",
            name_lv="Personāla izmaksas",
            name_en="Staff costs",
            planned_amount=Decimal("1000000.00"),
            order=1,
        ),
        "B": BudgetHeading.objects.create(
            budget=budget,
            code="B",
            name_lv="Aprīkojums",
            name_en="Equipment",
            planned_amount=Decimal("1011605.00"),
            order=2,
        ),
    }
    for heading, day, amount, eligible, supplier in [
        ("A", date(2025, 1, 10), "1000.00", True, "SIA Alfa"),
        ("A", date(2025, 2, 15), "2500.55", True, "SIA Bēta"),
        ("A", date(2025, 3, 31), "0.99", True, "SIA Gamma"),
        ("A", date(2025, 3, 1), "300.00", False, '=HYPERLINK("x")'),
        ("B", date(2025, 4, 1), "10000.00", True, "SIA Delta"),
    ]:
        Expenditure.objects.create(
            heading=headings[heading],
            date=day,
            amount=Decimal(amount),
            eligible=eligible,
            supplier=supplier,
            document_number=f"R-{day:%m%d}",
            note="Ēdināšana" if not eligible else "",
        )
    indicators_seed()
    developed = Indicator.objects.get(code="programmes-developed")
    IndicatorValue.objects.create(
        indicator=developed,
        period_start=date(2024, 1, 1),
        period_end=date(2024, 12, 31),
        value=Decimal("3"),
    )
    IndicatorValue.objects.create(
        indicator=developed, period_start=PERIOD[0], period_end=PERIOD[1], value=Decimal("5")
    )
    return ReportData(programme, stage1, stage2, demo, s, people, budget, sources, headings)


def make_user(username, *, group=None, superuser=False, staff=False):
    user = get_user_model().objects.create_user(
        username,
        password="parole-123",
        is_superuser=superuser,
        is_staff=staff or superuser,
        first_name=username.capitalize(),
        last_name="Ozoliņa",
    )
    if group:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user
