"""seed_programme loads the source article's facts exactly, once, and never overwrites staff."""

from datetime import datetime, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict

from courses.models import Programme, Session, Stage

RIGA = ZoneInfo("Europe/Riga")

pytestmark = pytest.mark.django_db


def seed(*args):
    out = StringIO()
    call_command("seed_programme", *args, stdout=out)
    return out.getvalue()


def snapshot():
    rows = []
    for model in (Programme, Stage, Session):
        for obj in model.objects.order_by("pk"):
            values = model_to_dict(obj)
            values.update({f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields})
            rows.append((model.__name__, values))
    return rows


def test_programme_facts():
    seed()
    programme = Programme.objects.get()
    assert programme.project_number == "NFI/IC/VIAA/2020/4"
    assert programme.agreement_number == "9.-20.2.2.1/4"
    assert programme.title_lv == "Inovāciju centra izveidošana Daugavpilī"
    assert programme.title_en == "Establishment of an Innovation Centre in Daugavpils"
    assert programme.organiser_lv == "Daugavpils Inovāciju centrs"
    assert programme.organiser_en == "Daugavpils Innovation Centre"
    assert programme.organiser_address == "Vienības iela 30, Daugavpils"
    assert programme.partner_lv == "Daugavpils Universitāte"
    assert programme.partner_en == "Daugavpils University"
    assert programme.end_date.isoformat() == "2023-12-31"
    assert programme.minutes_per_academic_hour == 45
    assert "“Pētniecība un izglītība”" in programme.funding_frame_lv
    assert "“Inovācijas centri”" in programme.funding_frame_lv
    assert "2014" in programme.funding_frame_en and "Research and Education" in (
        programme.funding_frame_en
    )


def test_acknowledgement_is_the_articles_sentence_with_the_typo_fixed():
    seed()
    programme = Programme.objects.get()
    assert programme.acknowledgement_lv == (
        "Projekts “Inovāciju centra izveidošana Daugavpilī”, Proj.nr. NFI/IC/VIAA/2020/4, "
        "Līguma Nr. 9.-20.2.2.1/4 tiek īstenots Eiropas Ekonomikas zonas finanšu instrumenta "
        "un Norvēģijas finanšu instrumenta 2014. - 2021. gada perioda programmas “Pētniecība "
        "un izglītība” aktivitātes “Inovācijas centri” ietvaros."
    )
    assert "Nr. Nr." not in programme.acknowledgement_lv
    assert "NFI/IC/VIAA/2020/4" in programme.acknowledgement_en
    assert "9.-20.2.2.1/4" in programme.acknowledgement_en
    assert "EEA" in programme.acknowledgement_en


def test_four_stages_in_order_with_stage_one_as_published():
    seed()
    stages = list(Stage.objects.order_by("order"))
    assert [s.order for s in stages] == [1, 2, 3, 4]
    assert all(s.title_lv and s.title_en for s in stages)
    first = stages[0]
    assert first.planned_academic_hours == Decimal("60")
    assert first.capacity == 20
    assert first.registration_closes_at <= datetime(2021, 3, 1, tzinfo=RIGA)
    assert all(not s.sessions.exists() for s in stages[1:])
    assert all(s.planned_academic_hours > 0 for s in stages)


def test_stage_one_is_eight_online_sessions_of_sixty_hours_from_march_2021():
    seed()
    sessions = list(Stage.objects.get(order=1).sessions.order_by("starts_at"))
    assert len(sessions) == 8
    assert sum(s.academic_hours for s in sessions) == Decimal("60")
    first_local = sessions[0].starts_at.astimezone(RIGA)
    assert (first_local.year, first_local.month) == (2021, 3)
    for session in sessions:
        assert session.mode == Session.Mode.ONLINE
        assert session.topic_lv and session.topic_en
        minutes = (session.ends_at - session.starts_at) / timedelta(minutes=1)
        assert session.academic_hours * 45 <= Decimal(minutes)
        assert session.minutes_per_academic_hour == 45
    topics = " ".join(s.topic_en for s in sessions)
    for subject in ("exact sciences", "competence-based approach", "Norwegian partners"):
        assert subject in topics


def test_sessions_keep_riga_wall_clock_time_across_daylight_saving():
    seed()
    sessions = Stage.objects.get(order=1).sessions.order_by("starts_at")
    local_starts = {s.starts_at.astimezone(RIGA).time().isoformat() for s in sessions}
    assert local_starts == {"10:00:00"}
    offsets = {s.starts_at.astimezone(RIGA).utcoffset() for s in sessions}
    assert offsets == {timedelta(hours=2), timedelta(hours=3)}


def test_second_run_changes_nothing():
    seed()
    before = snapshot()
    out = seed()
    assert snapshot() == before
    assert "nothing changed" in out


def test_dry_run_writes_nothing():
    out = seed("--dry-run")
    assert "Would create 1 programme(s), 4 stage(s), 8 session(s)" in out
    assert not Programme.objects.exists()


def test_staff_edits_survive_a_second_run():
    seed()
    programme = Programme.objects.get()
    programme.title_en = "Innovation Centre in Daugavpils (edited by staff)"
    programme.save()
    stage = Stage.objects.get(order=2)
    stage.capacity = 35
    stage.save()
    moved = Stage.objects.get(order=1).sessions.order_by("starts_at").first()
    moved.starts_at += timedelta(days=1)
    moved.ends_at += timedelta(days=1)
    moved.topic_lv = "Pārcelta nodarbība"
    moved.save()
    Stage.objects.get(order=1).sessions.order_by("starts_at").last().delete()
    before = snapshot()

    seed()

    assert snapshot() == before
    assert Programme.objects.get().title_en.endswith("(edited by staff)")
    assert Stage.objects.get(order=1).sessions.count() == 7


def test_missing_stage_is_added_back_without_touching_the_others():
    seed()
    Stage.objects.filter(order=4).delete()
    before = snapshot()
    seed()
    after = snapshot()
    assert all(row in after for row in before)
    assert len(after) == len(before) + 1
    assert Stage.objects.filter(order=4).exists()


def test_bad_arguments_are_a_clear_command_error():
    with pytest.raises(CommandError, match="unrecognized arguments: --stages"):
        call_command("seed_programme", "--stages", "9")
