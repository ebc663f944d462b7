"""The admin's list of stages: seats taken, capacity and waiting list, counted in SQL.

(Here and not in courses/tests: it needs registrations, and courses knows nothing of them.)
"""

from decimal import Decimal

import pytest

from courses.models import Stage
from courses.selectors import with_hours, with_seats
from courses.tests.factories import SessionFactory, StageFactory
from participants.tests.factories import RegistrationFactory


@pytest.fixture
def stage(db):
    stage = StageFactory(capacity=2, title_lv="Eksaktās zinātnes")
    for _ in range(3):
        SessionFactory(stage=stage)  # 4 academic hours each
    RegistrationFactory.create_batch(2, stage=stage, confirmed=True)
    RegistrationFactory(stage=stage, waiting=True)
    RegistrationFactory(stage=stage, cancelled=True)
    RegistrationFactory(stage=stage)  # awaiting e-mail confirmation
    return stage


def test_seats_and_hours_are_counted_once_each(stage):
    counted = with_seats(with_hours(Stage.objects.all())).get(pk=stage.pk)
    assert (counted.seats_taken, counted.waiting) == (2, 1)
    # Joined to the registrations as well, each session's hours would be summed five times.
    assert counted.scheduled_hours == Decimal("12")


def test_a_stage_nobody_registered_for(db):
    counted = with_seats(Stage.objects.all()).get(pk=StageFactory().pk)
    assert (counted.seats_taken, counted.waiting) == (0, 0)


def row(response, stage):
    (result,) = [line for line in response.context["cl"].result_list if line.pk == stage.pk]
    return result


def test_the_list_of_stages_shows_seats_taken_capacity_and_waiting_list(admin_client, stage):
    response = admin_client.get("/admin/courses/stage/")
    content = response.content.decode()
    for header in ("aizņemtās vietas", "vietu skaits", "gaidīšanas saraksts"):
        assert header in content.lower()
    assert '<td class="field-seats_taken">2</td>' in content
    assert '<td class="field-capacity">2</td>' in content
    assert '<td class="field-waiting">1</td>' in content
    assert (row(response, stage).seats_taken, row(response, stage).waiting) == (2, 1)


def test_the_list_is_sorted_by_seats_taken(admin_client, stage):
    StageFactory()
    cl = admin_client.get("/admin/courses/stage/?o=7").context["cl"]  # 7th column, ascending
    assert [line.seats_taken for line in cl.result_list] == [0, 2]


@pytest.mark.parametrize("stages", [1, 6])
def test_the_list_takes_the_same_queries_for_more_stages(
    admin_client, django_assert_max_num_queries, stages
):
    for _ in range(stages):
        stage = StageFactory()
        SessionFactory(stage=stage)
        RegistrationFactory(stage=stage, confirmed=True)
    admin_client.get("/admin/courses/stage/")  # warm the session and the content types
    with django_assert_max_num_queries(12):
        admin_client.get("/admin/courses/stage/")
