"""seed_programme --demo: a clearly marked stage a newcomer can try at once, added only once,
beside (never instead of) the programme of the source article."""

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict
from django.utils import translation
from django.utils.translation import gettext

from courses.models import Programme, Session, Stage
from participants.models import Participant, Registration
from participants.selectors import seats_left

RIGA = ZoneInfo("Europe/Riga")
Status = Registration.Status
# The Friday before the change to summer time (29 March 2026): the demo's weeks cross it.
NOW = datetime(2026, 3, 27, 15, 30, tzinfo=RIGA)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _development(settings):
    """As ``make demo`` runs it (pytest-django turns DEBUG off, which --demo refuses)."""
    settings.DEBUG = True


def seed(*args):
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("seed_programme", *args, stdout=out)
    return out.getvalue()


def rows(*models, exclude_demo=False):
    """Every column of every row of ``models``, to compare before and after."""
    found = []
    for model in models:
        objects = model.objects.order_by("pk")
        if exclude_demo and model is Stage:
            objects = objects.filter(is_demo=False)
        if exclude_demo and model is Session:
            objects = objects.filter(stage__is_demo=False)
        for obj in objects:
            values = model_to_dict(obj)
            values.update({f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields})
            found.append((model.__name__, values))
    return found


def demo_stage():
    return Stage.objects.get(is_demo=True)


def test_the_demo_stage_is_marked_in_its_title_in_both_languages():
    seed("--demo")
    stage = demo_stage()
    assert stage.title_lv.startswith("DEMONSTRĀCIJA")
    assert stage.title_en.startswith("DEMO")
    assert stage.programme.project_number == "NFI/IC/VIAA/2020/4"
    assert stage.order == 5  # after the programme's four stages


def test_the_demo_has_sessions_in_the_coming_weeks_and_registration_open_now():
    seed("--demo")
    stage = demo_stage()
    sessions = list(stage.sessions.order_by("starts_at"))
    upcoming = [s for s in sessions if s.starts_at > NOW]
    assert len(upcoming) >= 3
    assert all(s.starts_at < NOW + timedelta(weeks=4) for s in sessions)
    assert any(s.starts_at.date() == NOW.date() + timedelta(days=1) for s in upcoming)  # reminders
    assert any(s.ends_at < NOW for s in sessions)  # one already held: attendance can be tried
    assert stage.registration_is_open(NOW)
    assert stage.registration_closes_at > NOW + timedelta(days=7)
    # Riga wall-clock times on both sides of the change to summer time.
    assert {s.starts_at.astimezone(RIGA).hour for s in sessions} <= {10, 14}
    assert {s.mode for s in sessions} == {"online", "onsite", "hybrid"}
    assert stage.planned_academic_hours == sum(s.academic_hours for s in sessions)


def test_the_demo_people_are_obviously_made_up_and_in_several_statuses():
    seed("--demo")
    stage = demo_stage()
    registrations = Registration.objects.filter(stage=stage).select_related("participant")
    assert {r.status for r in registrations} >= {
        Status.CONFIRMED,
        Status.AWAITING_CONFIRMATION,
        Status.CANCELLED,
    }
    assert all(r.participant.email.endswith("@example.com") for r in registrations)
    assert all(r.participant.last_name.startswith("Demo-") for r in registrations)
    confirmed = registrations.filter(status=Status.CONFIRMED).count()
    assert 0 < seats_left(stage) == stage.capacity - confirmed  # a newcomer still gets a seat
    assert all(r.confirmed_at for r in registrations.filter(status=Status.CONFIRMED))


def test_the_demo_mails_nobody():
    seed("--demo")
    assert mail.outbox == []


def test_a_second_run_changes_nothing():
    seed("--demo")
    before = rows(Programme, Stage, Session, Participant, Registration)
    out = seed("--demo")
    assert rows(Programme, Stage, Session, Participant, Registration) == before
    assert "nothing changed" in out


def test_a_second_run_weeks_later_keeps_the_first_demo():
    seed("--demo")
    before = rows(Stage, Session, Registration)
    out = StringIO()
    with time_machine.travel(NOW + timedelta(weeks=6), tick=False):
        call_command("seed_programme", "--demo", stdout=out)
    assert rows(Stage, Session, Registration) == before


def test_the_demo_never_touches_the_programme_of_the_source_article():
    seed()
    before = rows(Programme, Stage, Session)
    seed("--demo")
    assert rows(Programme, Stage, Session, exclude_demo=True) == before
    assert Stage.objects.filter(is_demo=False).count() == 4
    assert not Registration.objects.exclude(stage__is_demo=True).exists()


def test_staff_edits_of_the_programme_survive_a_demo_run():
    seed()
    Stage.objects.filter(order=2).update(capacity=35)
    seed("--demo")
    assert Stage.objects.get(order=2, is_demo=False).capacity == 35


def test_dry_run_writes_nothing_and_says_what_it_would_create():
    out = seed("--demo", "--dry-run")
    assert "Would create the demonstration stage" in out
    assert not Stage.objects.exists()
    assert not Participant.objects.exists()


def test_without_demo_no_demo_stage_is_made():
    seed()
    assert not Stage.objects.filter(is_demo=True).exists()
    assert not Participant.objects.exists()


def test_demo_is_refused_in_production_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        seed("--demo")
    assert not Stage.objects.exists()
    seed("--demo", "--force")
    assert Stage.objects.filter(is_demo=True).count() == 1


def test_the_demo_stage_is_marked_and_open_on_the_public_pages(client):
    seed("--demo")
    stage = demo_stage()
    with translation.override("lv"):
        marking = gettext("Demonstration")
    assert marking != "Demonstration"
    with time_machine.travel(NOW, tick=False):
        programme_page = client.get("/lv/").content.decode()
        stage_page = client.get(f"/lv/stages/{stage.pk}/").content.decode()
    assert "DEMONSTRĀCIJA" in programme_page and marking in programme_page
    assert "demo-note" in stage_page and marking in stage_page
    assert 'name="email"' in stage_page  # registration is open: the form is there


def test_the_demo_stage_is_marked_in_the_admin(admin_client):
    seed("--demo")
    listing = admin_client.get("/admin/courses/stage/").content.decode()
    assert "column-is_demo" in listing  # a column says which stage is the demonstration
    only_demo = admin_client.get("/admin/courses/stage/?is_demo__exact=1").content.decode()
    assert "DEMONSTRĀCIJA" in only_demo
    assert "Otrais apmācību posms" not in only_demo
