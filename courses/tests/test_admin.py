"""Staff manage the programme in the admin: forms refuse impossible sessions, totals show."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from courses.models import Session
from courses.tests.factories import ProgrammeFactory, SessionFactory, StageFactory, riga

pytestmark = pytest.mark.django_db

SESSIONS_URL = reverse("admin:courses_session_changelist")
ADD_SESSION_URL = reverse("admin:courses_session_add")


def session_form(stage, **overrides):
    data = {
        "stage": stage.pk,
        "starts_at_0": "2027-03-06",
        "starts_at_1": "10:00",
        "ends_at_0": "2027-03-06",
        "ends_at_1": "13:00",
        "academic_hours": "",
        "mode": "online",
        "zoom_url": "https://zoom.us/j/555",
        "venue": "",
        "topic_lv": "Ķīmija",
        "topic_en": "Chemistry",
        "trainer": "",
    }
    return data | overrides


def form_errors(response):
    return {
        name: list(errors) for name, errors in response.context["adminform"].form.errors.items()
    }


def test_add_session_counts_hours_from_the_duration(admin_client):
    stage = StageFactory(programme=ProgrammeFactory(minutes_per_academic_hour=45))
    response = admin_client.post(ADD_SESSION_URL, session_form(stage, ends_at_1="11:40"))
    assert response.status_code == 302
    session = Session.objects.get()
    assert session.academic_hours == Decimal("2.22")  # 100 minutes / 45, rounded down
    assert session.minutes_per_academic_hour == 45


def test_add_session_copies_the_programmes_academic_hour(admin_client):
    stage = StageFactory(programme=ProgrammeFactory(minutes_per_academic_hour=40))
    response = admin_client.post(ADD_SESSION_URL, session_form(stage, ends_at_1="11:40"))
    assert response.status_code == 302
    session = Session.objects.get()
    assert (session.academic_hours, session.minutes_per_academic_hour) == (Decimal("2.5"), 40)


def test_add_session_keeps_entered_hours_that_fit(admin_client):
    stage = StageFactory()
    response = admin_client.post(ADD_SESSION_URL, session_form(stage, academic_hours="3.5"))
    assert response.status_code == 302
    assert Session.objects.get().academic_hours == Decimal("3.5")


def test_end_before_start_is_refused_on_the_end_field(admin_client):
    stage = StageFactory()
    response = admin_client.post(ADD_SESSION_URL, session_form(stage, ends_at_1="09:00"))
    assert response.status_code == 200
    assert list(form_errors(response)) == ["ends_at"]
    assert not Session.objects.exists()


def test_hours_beyond_the_duration_are_refused_on_the_hours_field(admin_client):
    stage = StageFactory()
    response = admin_client.post(ADD_SESSION_URL, session_form(stage, academic_hours="4.5"))
    assert list(form_errors(response)) == ["academic_hours"]
    assert not Session.objects.exists()


def test_overlapping_session_of_the_same_stage_is_refused_on_the_start_field(admin_client):
    existing = SessionFactory(starts_at=riga(2027, 3, 6, 12), ends_at=riga(2027, 3, 6, 15))
    response = admin_client.post(ADD_SESSION_URL, session_form(existing.stage))
    assert list(form_errors(response)) == ["starts_at"]
    assert Session.objects.count() == 1


def test_editing_a_session_does_not_clash_with_itself(admin_client):
    session = SessionFactory(starts_at=riga(2027, 3, 6, 10), ends_at=riga(2027, 3, 6, 13))
    url = reverse("admin:courses_session_change", args=[session.pk])
    response = admin_client.post(url, session_form(session.stage, trainer="Dr. Ilze Kalniņa"))
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.trainer == "Dr. Ilze Kalniņa"


def stage_form(stage, sessions):
    data = {
        "programme": stage.programme_id,
        "order": stage.order,
        "title_lv": stage.title_lv,
        "title_en": stage.title_en,
        "description_lv": "",
        "description_en": "",
        "planned_academic_hours": str(stage.planned_academic_hours),
        "capacity": stage.capacity,
        "registration_opens_at_0": "",
        "registration_opens_at_1": "",
        "registration_closes_at_0": "",
        "registration_closes_at_1": "",
        "completion_threshold_percent": 75,
        "sessions-TOTAL_FORMS": len(sessions),
        "sessions-INITIAL_FORMS": 0,
        "sessions-MIN_NUM_FORMS": 0,
        "sessions-MAX_NUM_FORMS": 1000,
    }
    for index, (day, start, end, hours) in enumerate(sessions):
        values = {
            "starts_at_0": day,
            "starts_at_1": start,
            "ends_at_0": day,
            "ends_at_1": end,
            "academic_hours": hours,
            "mode": "online",
            "zoom_url": "",
            "venue": "",
            "topic_lv": f"Tēma {index}",
            "topic_en": "",
            "trainer": "",
        }
        data |= {f"sessions-{index}-{name}": value for name, value in values.items()}
    return data


def test_stage_inline_adds_sessions_through_the_same_rules(admin_client):
    stage = StageFactory()
    url = reverse("admin:courses_stage_change", args=[stage.pk])
    response = admin_client.post(
        url,
        stage_form(
            stage, [("2027-03-06", "10:00", "16:00", ""), ("2027-03-13", "10:00", "13:00", "4")]
        ),
    )
    assert response.status_code == 302
    assert sorted(stage.sessions.values_list("academic_hours", flat=True)) == [4, 8]
    assert set(stage.sessions.values_list("minutes_per_academic_hour", flat=True)) == {45}


def test_stage_inline_refuses_impossible_sessions_next_to_the_field(admin_client):
    stage = StageFactory()
    url = reverse("admin:courses_stage_change", args=[stage.pk])
    response = admin_client.post(
        url,
        stage_form(
            stage,
            [
                ("2027-03-06", "10:00", "16:00", "9"),  # 6 hours hold at most 8
                ("2027-03-13", "10:00", "13:00", ""),
                ("2027-03-13", "12:00", "14:00", ""),  # overlaps the one before
            ],
        ),
    )
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert list(formset.forms[0].errors) == ["academic_hours"]
    assert list(formset.forms[1].errors) == []
    assert list(formset.forms[2].errors) == ["starts_at"]
    assert not stage.sessions.exists()


def test_stage_page_shows_hours_totals_and_a_warning_when_they_differ(admin_client):
    stage = StageFactory(planned_academic_hours=Decimal("60"))
    SessionFactory(stage=stage, academic_hours=Decimal("4"))
    url = reverse("admin:courses_stage_change", args=[stage.pk])
    page = admin_client.get(url).content.decode()
    assert "errornote" in page
    assert "4,00" in page or "4.00" in page
    stage.planned_academic_hours = Decimal("4")
    stage.save()
    assert "errornote" not in admin_client.get(url).content.decode()


def test_stage_changelist_shows_the_warning_column(admin_client):
    StageFactory(planned_academic_hours=Decimal("60"))
    page = admin_client.get(reverse("admin:courses_stage_changelist")).content.decode()
    assert "errornote" in page


def test_minutes_per_academic_hour_is_read_only_once_there_are_sessions(admin_client):
    stage = StageFactory()
    url = reverse("admin:courses_programme_change", args=[stage.programme_id])
    form = admin_client.get(url).context["adminform"].form
    assert "minutes_per_academic_hour" in form.fields
    SessionFactory(stage=stage)
    response = admin_client.get(url)
    assert "minutes_per_academic_hour" not in response.context["adminform"].form.fields
    assert "Nav maināms, tiklīdz programmai ir nodarbības" in response.content.decode()


def test_copy_action_copies_one_week_later_and_reports(admin_client):
    session = SessionFactory(starts_at=riga(2027, 3, 6, 10), ends_at=riga(2027, 3, 6, 13))
    response = admin_client.post(
        SESSIONS_URL,
        {"action": "copy_one_week_later", "_selected_action": [session.pk]},
        follow=True,
    )
    copy = Session.objects.exclude(pk=session.pk).get()
    assert copy.starts_at == riga(2027, 3, 13, 10)
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1 and "1" in messages[0]


def test_copy_action_refuses_an_overlap_and_says_which_session(admin_client):
    session = SessionFactory(starts_at=riga(2027, 3, 6, 10), ends_at=riga(2027, 3, 6, 13))
    SessionFactory(
        stage=session.stage, starts_at=riga(2027, 3, 13, 11), ends_at=riga(2027, 3, 13, 14)
    )
    response = admin_client.post(
        SESSIONS_URL,
        {"action": "copy_one_week_later", "_selected_action": [session.pk]},
        follow=True,
    )
    assert Session.objects.count() == 2
    [message] = list(response.context["messages"])
    assert message.level_tag == "error"
    assert session.topic_lv in str(message)


def test_session_list_filters_search_and_date_hierarchy(admin_client, time_machine):
    # "Past" and "upcoming" are judged against a fixed today, not the real clock.
    time_machine.move_to(riga(2026, 11, 26, 12), tick=False)
    stage = StageFactory()
    past = SessionFactory(stage=stage, starts_at=riga(2020, 3, 6, 10), ends_at=riga(2020, 3, 6, 13))
    future = SessionFactory(
        stage=stage,
        starts_at=riga(2027, 3, 8, 10),
        ends_at=riga(2027, 3, 8, 13),
        trainer="Dr. Pēteris Liepa",
        mode="onsite",
    )
    SessionFactory()  # another stage

    def listed(**params):
        response = admin_client.get(SESSIONS_URL, params)
        assert response.status_code == 200
        return {s.pk for s in response.context["cl"].result_list}

    assert listed(when="past", stage__id__exact=stage.pk) == {past.pk}
    assert listed(when="upcoming", stage__id__exact=stage.pk) == {future.pk}
    assert listed(mode__exact="onsite") == {future.pk}
    assert listed(q="Liepa") == {future.pk}
    assert listed(q=past.topic_en) == {past.pk}
    assert listed(starts_at__year="2020") == {past.pk}


@pytest.mark.parametrize("count", [3, 30])
def test_session_list_has_no_n_plus_one(admin_client, django_assert_max_num_queries, count):
    for stage in StageFactory.create_batch(3):
        SessionFactory.create_batch(count // 3, stage=stage)
    with django_assert_max_num_queries(12):
        response = admin_client.get(SESSIONS_URL)
    assert len(response.context["cl"].result_list) == count


@pytest.mark.parametrize("count", [2, 20])
def test_stage_list_has_no_n_plus_one(admin_client, django_assert_max_num_queries, count):
    programme = ProgrammeFactory()
    for stage in StageFactory.create_batch(count, programme=programme):
        SessionFactory(stage=stage)
    with django_assert_max_num_queries(10):
        response = admin_client.get(reverse("admin:courses_stage_changelist"))
    assert len(response.context["cl"].result_list) == count


def test_admin_labels_are_latvian_by_default(admin_client):
    SessionFactory()
    page = admin_client.get(SESSIONS_URL).content.decode()
    assert "Nodarbības" in page
    assert "Kopēt nodarbību nedēļu vēlāk" in page
    assert "Akadēmiskās stundas" in page


def test_the_copy_keeps_the_gap_of_a_week_exactly():
    session = SessionFactory()
    from courses.services import session_copy

    copy = session_copy(session=session)
    assert copy.starts_at - session.starts_at == timedelta(days=7)


def test_new_stage_with_sessions_in_one_go(admin_client):
    programme = ProgrammeFactory()
    new_stage = StageFactory.build(programme=programme, order=5)
    data = stage_form(
        new_stage, [("2027-03-06", "10:00", "16:00", ""), ("2027-03-06", "15:00", "17:00", "")]
    )
    response = admin_client.post(reverse("admin:courses_stage_add"), data)
    assert response.status_code == 200  # the two sessions overlap
    formset = response.context["inline_admin_formsets"][0].formset
    assert list(formset.forms[1].errors) == ["starts_at"]

    data["sessions-1-starts_at_1"] = "16:00"
    data["sessions-1-ends_at_1"] = "17:30"
    response = admin_client.post(reverse("admin:courses_stage_add"), data)
    assert response.status_code == 302
    stage = programme.stages.get(order=5)
    assert list(stage.sessions.order_by("starts_at").values_list("academic_hours", flat=True)) == [
        Decimal("8.00"),
        Decimal("2.00"),
    ]


def test_new_stage_without_programme_reports_the_field_not_a_crash(admin_client):
    new_stage = StageFactory.build(programme=ProgrammeFactory(), order=6)
    data = stage_form(new_stage, [("2027-03-06", "10:00", "16:00", "")]) | {"programme": ""}
    response = admin_client.post(reverse("admin:courses_stage_add"), data)
    assert response.status_code == 200
    assert "programme" in response.context["adminform"].form.errors
