"""Staff work with registrations in the admin: list, filter, search, and the status actions."""

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from courses.tests.factories import StageFactory
from participants import services
from participants.models import Participant, Registration
from participants.tests.factories import ParticipantFactory, RegistrationFactory

Status = Registration.Status
CHANGELIST = "admin:participants_registration_changelist"


def changelist_url():
    return reverse(CHANGELIST)


def run_action(client, action, registrations, data=None, **headers):
    selected = {"action": action, "_selected_action": [r.pk for r in registrations]}
    return client.post(changelist_url(), {**selected, **(data or {})}, **headers)


def admin_messages(response):
    return [(message.level_tag, str(message)) for message in get_messages(response.wsgi_request)]


def service_refusal(service, registration):
    """The reason the service gives, in Latvian, for refusing ``registration``."""
    with translation.override("lv"), pytest.raises(ValidationError) as refusal:
        service(registration=registration)
    return " ".join(refusal.value.messages)


def statuses(*registrations):
    return [Registration.objects.get(pk=r.pk).status for r in registrations]


def person(email, **fields):
    return ParticipantFactory(email=email, **fields)


# --- the list ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_shows_who_registered_for_what_with_latvian_labels(admin_client):
    stage = StageFactory(title_lv="Eksaktās zinātnes")
    RegistrationFactory(
        stage=stage,
        participant=person("ilze@example.lv", first_name="Ilze", last_name="Āboliņa"),
        confirmed=True,
    )

    page = admin_client.get(changelist_url()).content.decode()

    assert "Ilze Āboliņa" in page
    assert "ilze@example.lv" in page
    assert "Eksaktās zinātnes" in page
    assert "Apstiprināt atlasītās reģistrācijas" in page
    assert "Pārcelt atlasītās reģistrācijas uz gaidīšanas sarakstu" in page
    assert "Eksportēt atlasītās reģistrācijas CSV failā" in page


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 30])
def test_list_reads_the_database_a_fixed_number_of_times(
    admin_client, django_assert_max_num_queries, count
):
    stages = StageFactory.create_batch(3)
    for number in range(count):
        RegistrationFactory(stage=stages[number % 3])

    # Session, user, the second factor's device, the stage filter's choices, two counts, the
    # page of rows.
    with django_assert_max_num_queries(7):
        response = admin_client.get(changelist_url())

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == count


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"status__exact": "waiting_list"}, {"b@example.lv"}),
        ({"participant__role__exact": "career_counsellor"}, {"b@example.lv"}),
        ({"participant__municipality__exact": "rezekne"}, {"c@example.lv"}),
        ({"stage": "second"}, {"c@example.lv"}),
        ({"status__exact": "confirmed", "participant__role__exact": "teacher"}, {"a@example.lv"}),
    ],
)
def test_list_filters(admin_client, filters, expected):
    first, second = StageFactory(), StageFactory()
    RegistrationFactory(
        stage=first,
        confirmed=True,
        participant=person("a@example.lv", role="teacher", municipality="daugavpils"),
    )
    RegistrationFactory(
        stage=first,
        waiting=True,
        participant=person("b@example.lv", role="career_counsellor", municipality="daugavpils"),
    )
    RegistrationFactory(
        stage=second,
        confirmed=True,
        participant=person("c@example.lv", role="methodologist", municipality="rezekne"),
    )
    if filters.get("stage") == "second":
        filters = {"stage__id__exact": second.pk}

    response = admin_client.get(changelist_url(), filters)

    assert response.status_code == 200
    assert {r.participant.email for r in response.context["cl"].result_list} == expected


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["Vītoliņa", "ieva@example", "Saules"])
def test_search_by_name_email_and_institution(admin_client, query):
    RegistrationFactory(
        participant=person(
            "ieva@example.lv", last_name="Vītoliņa", institution="Daugavpils Saules skola"
        )
    )
    RegistrationFactory(
        participant=person("karlis@example.lv", last_name="Zariņš", institution="Valsts ģimnāzija")
    )

    response = admin_client.get(changelist_url(), {"q": query})

    assert [r.participant.email for r in response.context["cl"].result_list] == ["ieva@example.lv"]


@pytest.mark.django_db
def test_registrations_are_not_added_or_deleted_by_hand(admin_client):
    registration = RegistrationFactory()

    assert admin_client.get(reverse("admin:participants_registration_add")).status_code == 403
    delete_url = reverse("admin:participants_registration_delete", args=[registration.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Registration.objects.filter(pk=registration.pk).exists()
    assert "delete_selected" not in admin_client.get(changelist_url()).content.decode()


@pytest.mark.django_db
def test_registration_page_shows_the_record_without_editable_status(admin_client):
    registration = RegistrationFactory(
        cancelled=True,
        cancellation_reason="Pārcelts uz nākamo posmu",
        participant=person("zane@example.lv", first_name="Zane", last_name="Kļaviņa"),
    )

    response = admin_client.get(
        reverse("admin:participants_registration_change", args=[registration.pk])
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Zane Kļaviņa" in page
    assert "Pārcelts uz nākamo posmu" in page
    assert 'name="status"' not in page


# --- actions ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_confirm_gives_seats_and_mails_the_people(admin_client, django_capture_on_commit_callbacks):
    stage = StageFactory(capacity=5)
    awaiting = RegistrationFactory(stage=stage, status=Status.AWAITING_CONFIRMATION)
    waiting = RegistrationFactory(stage=stage, waiting=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(admin_client, "confirm_registrations", [awaiting, waiting])

    assert response.status_code == 302
    assert statuses(awaiting, waiting) == [Status.CONFIRMED, Status.CONFIRMED]
    assert admin_messages(response) == [("success", "Apstiprinātas 2 reģistrācijas.")]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [awaiting.participant.email, waiting.participant.email]
    )


@pytest.mark.django_db
def test_confirm_when_the_stage_is_full_says_so_and_changes_nothing(admin_client):
    stage = StageFactory(capacity=1)
    RegistrationFactory(stage=stage, confirmed=True)
    waiting = RegistrationFactory(
        stage=stage,
        waiting=True,
        participant=person("gaida@example.lv", first_name="Guntis", last_name="Gaidītājs"),
    )

    response = run_action(admin_client, "confirm_registrations", [waiting])

    assert response.status_code == 302
    assert statuses(waiting) == [Status.WAITING_LIST]
    [(level, text)] = admin_messages(response)
    assert level == "warning"
    assert text.startswith("1 reģistrāciju nevarēja apstiprināt:")
    assert "Guntis Gaidītājs" in text
    assert service_refusal(services.registration_confirm_by_staff, waiting) in text


@pytest.mark.django_db
def test_confirm_takes_the_last_seats_oldest_first_and_reports_the_rest(admin_client):
    stage = StageFactory(capacity=2)
    RegistrationFactory(stage=stage, confirmed=True)
    older = RegistrationFactory(stage=stage, waiting=True)
    newer = RegistrationFactory(stage=stage, waiting=True)
    Registration.objects.filter(pk=older.pk).update(created_at=newer.created_at.replace(year=2020))

    response = run_action(admin_client, "confirm_registrations", [newer, older])

    assert statuses(older, newer) == [Status.CONFIRMED, Status.WAITING_LIST]
    levels = [level for level, _text in admin_messages(response)]
    assert levels == ["success", "warning"]


@pytest.mark.django_db
def test_many_refusals_are_listed_up_to_ten_then_counted(admin_client):
    stage = StageFactory(capacity=0)
    waiting = RegistrationFactory.create_batch(12, stage=stage, waiting=True)

    response = run_action(admin_client, "confirm_registrations", waiting)

    [(level, text)] = admin_messages(response)
    assert text.startswith("12 reģistrācijas nevarēja apstiprināt:")
    assert text.endswith("… un vēl 2.")


@pytest.mark.django_db
def test_action_messages_follow_the_admins_language(admin_client):
    registration = RegistrationFactory(status=Status.AWAITING_CONFIRMATION)

    response = run_action(
        admin_client, "confirm_registrations", [registration], HTTP_ACCEPT_LANGUAGE="en"
    )

    assert admin_messages(response) == [("success", "Confirmed 1 registration.")]


@pytest.mark.django_db
def test_cancel_asks_first_then_cancels_and_frees_the_seat(
    admin_client, django_capture_on_commit_callbacks
):
    stage = StageFactory(capacity=1)
    seated = RegistrationFactory(
        stage=stage,
        confirmed=True,
        participant=person("seated@example.lv", first_name="Marta", last_name="Liepiņa"),
    )
    waiting = RegistrationFactory(stage=stage, waiting=True)

    question = run_action(admin_client, "cancel_registrations", [seated])

    assert question.status_code == 200
    assert "Marta Liepiņa" in question.content.decode()
    assert "Jā, atcelt" in question.content.decode()
    assert statuses(seated) == [Status.CONFIRMED]

    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(
            admin_client,
            "cancel_registrations",
            [seated],
            {"apply": "1", "reason": "  Slimības dēļ  "},
        )

    assert response.status_code == 302
    cancelled = Registration.objects.get(pk=seated.pk)
    assert cancelled.status == Status.CANCELLED
    assert cancelled.cancelled_by_staff is True
    assert cancelled.cancellation_reason == "Slimības dēļ"
    assert statuses(waiting) == [Status.CONFIRMED]
    assert admin_messages(response) == [("success", "Atcelta 1 reģistrācija.")]
    assert {m.to[0] for m in mail.outbox} == {"seated@example.lv", waiting.participant.email}
    [cancellation_mail] = [m for m in mail.outbox if m.to == ["seated@example.lv"]]
    assert "Slimības dēļ" in cancellation_mail.body  # the label promises the reason is sent


@pytest.mark.django_db
def test_cancel_reason_too_long_is_shown_next_to_the_field(admin_client):
    registration = RegistrationFactory(confirmed=True)

    response = run_action(
        admin_client, "cancel_registrations", [registration], {"apply": "1", "reason": "x" * 501}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert statuses(registration) == [Status.CONFIRMED]


@pytest.mark.django_db
def test_cancelling_an_already_cancelled_registration_is_reported_as_unchanged(admin_client):
    registration = RegistrationFactory(cancelled=True)

    response = run_action(admin_client, "cancel_registrations", [registration], {"apply": "1"})

    assert admin_messages(response) == [
        ("info", "1 reģistrācija jau bija šādā statusā un netika mainīta.")
    ]


@pytest.mark.django_db
def test_move_to_waiting_list_moves_confirmed_and_refuses_the_others(admin_client):
    stage = StageFactory(capacity=3)
    confirmed = RegistrationFactory(stage=stage, confirmed=True)
    awaiting = RegistrationFactory(stage=stage, status=Status.AWAITING_CONFIRMATION)

    response = run_action(admin_client, "move_to_waiting_list", [confirmed, awaiting])

    assert response.status_code == 302
    assert statuses(confirmed, awaiting) == [Status.WAITING_LIST, Status.AWAITING_CONFIRMATION]
    [(ok_level, ok_text), (refused_level, refused_text)] = admin_messages(response)
    assert (ok_level, ok_text) == (
        "success",
        "Uz gaidīšanas sarakstu pārcelta 1 reģistrācija.",
    )
    assert refused_level == "warning"
    assert refused_text.startswith("1 reģistrāciju nevarēja pārcelt uz gaidīšanas sarakstu:")
    assert awaiting.participant.full_name in refused_text
    assert service_refusal(services.registration_move_to_waiting_list, awaiting) in refused_text


@pytest.mark.django_db
def test_resend_sends_the_mail_for_each_current_status(
    admin_client, django_capture_on_commit_callbacks
):
    confirmed = RegistrationFactory(confirmed=True)
    awaiting = RegistrationFactory(status=Status.AWAITING_CONFIRMATION)

    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(admin_client, "resend_email", [confirmed, awaiting])

    assert admin_messages(response) == [
        ("success", "Vēlreiz nosūtīti e-pasti par 2 reģistrācijām.")
    ]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [confirmed.participant.email, awaiting.participant.email]
    )
    assert statuses(confirmed, awaiting) == [Status.CONFIRMED, Status.AWAITING_CONFIRMATION]


@pytest.mark.django_db
def test_status_changing_actions_need_the_change_permission(client):
    from django.contrib.auth.models import Permission, User

    viewer = User.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_registration"))
    client.force_login(viewer)
    registration = RegistrationFactory(status=Status.AWAITING_CONFIRMATION)

    page = client.get(changelist_url()).content.decode()
    run_action(client, "confirm_registrations", [registration])

    assert "confirm_registrations" not in page
    assert "export_csv" in page
    assert statuses(registration) == [Status.AWAITING_CONFIRMATION]


# --- participants -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_participant_page_lists_their_registrations_read_only(admin_client):
    participant = person("anna@example.lv", first_name="Anna", last_name="Krūmiņa")
    RegistrationFactory(
        participant=participant, stage=StageFactory(title_lv="Pirmais posms"), confirmed=True
    )
    RegistrationFactory(
        participant=participant, stage=StageFactory(title_lv="Otrais posms"), cancelled=True
    )

    response = admin_client.get(
        reverse("admin:participants_participant_change", args=[participant.pk])
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Pirmais posms" in page and "Otrais posms" in page
    assert 'name="registrations-0-status"' not in page
    assert 'name="registrations-TOTAL_FORMS"' in page


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["Krūmiņa", "anna@example", "Līvānu"])
def test_participant_search(admin_client, query):
    person("anna@example.lv", last_name="Krūmiņa", institution="Līvānu 1. vidusskola")
    person("other@example.lv", last_name="Ozols", institution="Rīgas skola")

    response = admin_client.get(reverse("admin:participants_participant_changelist"), {"q": query})

    assert [p.email for p in response.context["cl"].result_list] == ["anna@example.lv"]


def participant_form_data(admin_client, participant, **changes):
    url = reverse("admin:participants_participant_change", args=[participant.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"registrations-TOTAL_FORMS": "0", "registrations-INITIAL_FORMS": "0"})
    return url, {**data, **changes}


@pytest.mark.django_db
def test_staff_correct_a_participants_details_with_subject_checkboxes(admin_client):
    participant = person("ruta@example.lv", first_name="Ruta")
    url, data = participant_form_data(
        admin_client, participant, first_name="Rūta", subjects=["mathematics", "biology"]
    )

    response = admin_client.post(url, data)

    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.first_name == "Rūta"
    assert participant.subjects == ["biology", "mathematics"]


@pytest.mark.django_db
def test_participant_email_taken_by_someone_else_is_an_error_next_to_the_field(admin_client):
    person("taken@example.lv")
    participant = person("own@example.lv")
    url, data = participant_form_data(admin_client, participant, email=" Taken@Example.lv ")

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "email": ["Šī e-pasta adrese jau ir citam dalībniekam."]
    }
    assert Participant.objects.get(pk=participant.pk).email == "own@example.lv"
