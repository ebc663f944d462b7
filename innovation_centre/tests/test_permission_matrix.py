"""The permission matrix: every route of ``innovation_centre.urls`` x every kind of visitor has
an expected answer, written out below; a route added without an entry fails
``test_every_route_has_an_entry``.

Visitors: anonymous; the holder of a manage link (their own); the holder of another person's
link (who can only reach someone else's registration by altering their own token); programme
staff; finance staff; a coordinator (reports area only: not admin staff); a superuser.

Admin routes are grouped by model admin: each model lists, per staff visitor, which of its
standard views (changelist, add, change, delete, history) open (200); the others are 403, and
``<id>/`` redirects staff to the change page. Visitors who are not staff are sent to the admin's
login from every admin route. Custom admin views and the site's own views have their own rows.
Only GET is tried: nothing is changed, so one world serves every visitor.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.core import signing
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from courses.models import ReminderRule
from courses.tests.factories import SessionFactory, StageFactory
from innovation_centre.staff import PROGRAMME_STAFF
from participants import links
from participants.tests.factories import ParticipantFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

ANON, HOLDER, OTHER = "anonymous", "link_holder", "other_link_holder"
PROG, FIN, COORD, SUPER = "programme_staff", "finance_staff", "coordinator", "superuser"
VISITORS = [ANON, HOLDER, OTHER, PROG, FIN, COORD, SUPER]
NOT_ADMIN_STAFF = [ANON, HOLDER, OTHER, COORD]
ADMIN_STAFF = [PROG, FIN, SUPER]

ADMIN_LOGIN = "→ admin login"
REPORTS_LOGIN = "→ reports login"
REDIRECT = "→ elsewhere"  # a 302 to somewhere else (the page it leads to is tried on its own)


def everyone(answer, **others):
    """``answer`` for every visitor, except those named (``superuser=200``)."""
    return {visitor: others.get(visitor, answer) for visitor in VISITORS}


# --- the public site and the reports area --------------------------------------------------------
LINK = {ANON: 400, HOLDER: 200, OTHER: 400}  # own link opens; a junk or altered one does not
PUBLIC = {
    "healthz": everyone(200),
    "set_language": everyone(REDIRECT),  # a GET changes nothing and goes back
    "participants:programme_detail": everyone(200),
    "participants:stage_detail": everyone(200),
    "participants:registration_sent": everyone(200),
    "participants:privacy": everyone(200),
    "participants:registration_confirm": everyone(400, link_holder=200),
    "participants:registration_manage": everyone(400, link_holder=200),
    "participants:registration_cancel": everyone(400, link_holder=200),
    "participants:registration_calendar": everyone(400, link_holder=200),
    "participants:link_request": everyone(200),  # "lost your link?"
    "participants:link_request_sent": everyone(200),
    "participants:registration_personal_data": everyone(400, link_holder=200),
    "certificates:verify_form": everyone(200),
    "certificates:verify": everyone(200),
    "certificates:download": everyone(400, link_holder=200),
    # Anyone logged in may set up a second factor (superusers must); without a device there is
    # no code to ask for, so the code page sends them on.
    "security:two_factor_setup": everyone(
        ADMIN_LOGIN, programme_staff=200, finance_staff=200, coordinator=200, superuser=200
    ),
    "security:two_factor_verify": everyone(
        ADMIN_LOGIN,
        programme_staff=REDIRECT,
        finance_staff=REDIRECT,
        coordinator=REDIRECT,
        superuser=REDIRECT,
    ),
    "reporting:dashboard": everyone(
        REPORTS_LOGIN, programme_staff=403, finance_staff=403, coordinator=200, superuser=200
    ),
    "reporting:login": everyone(200),
    "reporting:logout": everyone(405),  # POST only
    "reporting:download": everyone(
        REPORTS_LOGIN, programme_staff=403, finance_staff=403, coordinator=200, superuser=200
    ),
    "reporting:submit": everyone(405),  # POST only
    "reporting:submitted_detail": everyone(
        REPORTS_LOGIN, programme_staff=403, finance_staff=403, coordinator=200, superuser=200
    ),
    "reporting:submitted_download": everyone(
        REPORTS_LOGIN, programme_staff=403, finance_staff=403, coordinator=200, superuser=200
    ),
}

# --- the admin: per model admin, the standard views each staff visitor may open ------------------
# L changelist, A add, C change (read-only for a view permission), D delete, H history.

ADMIN_MODELS = {
    "auth.group": {PROG: "", FIN: "", SUPER: "LACDH"},
    "auth.user": {PROG: "", FIN: "", SUPER: "LACDH"},
    "django_celery_beat.periodictask": {PROG: "LCH", FIN: "", SUPER: "LACDH"},
    "django_celery_beat.clockedschedule": {PROG: "LCH", FIN: "", SUPER: "LACDH"},
    "django_celery_beat.crontabschedule": {PROG: "LCH", FIN: "", SUPER: "LACDH"},
    "django_celery_beat.solarschedule": {PROG: "LCH", FIN: "", SUPER: "LACDH"},
    "django_celery_beat.intervalschedule": {PROG: "LCH", FIN: "", SUPER: "LACDH"},
    "axes.accessattempt": {PROG: "", FIN: "", SUPER: "LCDH"},
    "axes.accesslog": {PROG: "", FIN: "", SUPER: "LCDH"},
    "axes.accessfailurelog": {PROG: "", FIN: "", SUPER: "LCDH"},
    "otp_totp.totpdevice": {PROG: "", FIN: "", SUPER: "LACDH"},
    "courses.programme": {PROG: "LACH", FIN: "", SUPER: "LACDH"},
    "courses.stage": {PROG: "LACH", FIN: "", SUPER: "LACDH"},
    "courses.session": {PROG: "LACDH", FIN: "", SUPER: "LACDH"},
    "courses.reminderrule": {PROG: "LACDH", FIN: "", SUPER: "LACDH"},
    "participants.exportrecord": {PROG: "", FIN: "", SUPER: "LCH"},
    "participants.participant": {PROG: "LCH", FIN: "", SUPER: "LACDH"},
    # Registrations come from the public form; attendance from the register or a Zoom report.
    "participants.registration": {PROG: "LCH", FIN: "", SUPER: "LCH"},
    "participants.attendance": {PROG: "LCH", FIN: "", SUPER: "LCH"},
    "participants.sessionattendance": {PROG: "LCH", FIN: "", SUPER: "LCH"},
    "participants.zoomimport": {PROG: "LACH", FIN: "", SUPER: "LACH"},
    "participants.zoomalias": {PROG: "LCDH", FIN: "", SUPER: "LCDH"},
    "participants.certificate": {PROG: "LCH", FIN: "", SUPER: "LCH"},
    "participants.participantmail": {PROG: "LCH", FIN: "", SUPER: "LCH"},
    "participants.sessionreminders": {PROG: "LCH", FIN: "", SUPER: "LCH"},
    "participants.reminderdelivery": {PROG: "LCH", FIN: "", SUPER: "LCH"},
    "reporting.budget": {PROG: "", FIN: "LACDH", SUPER: "LACDH"},
    "reporting.fundingsource": {PROG: "", FIN: "LACDH", SUPER: "LACDH"},
    "reporting.budgetheading": {PROG: "", FIN: "LACDH", SUPER: "LACDH"},
    "reporting.expenditure": {PROG: "", FIN: "LACDH", SUPER: "LACDH"},
    "reporting.indicator": {PROG: "", FIN: "", SUPER: "LACDH"},
    "reporting.indicatorvalue": {PROG: "", FIN: "", SUPER: "LACDH"},
    "reporting.submittedreport": {PROG: "", FIN: "", SUPER: "LCH"},
}


def staff_only(**answers):
    """An admin route: staff visitors as given, everyone else to the admin's login."""
    return {**dict.fromkeys(NOT_ADMIN_STAFF, ADMIN_LOGIN), **answers}


ADMIN_OWN = {
    "admin:index": staff_only(programme_staff=200, finance_staff=200, superuser=200),
    "admin:login": everyone(
        200, programme_staff=REDIRECT, finance_staff=REDIRECT, superuser=REDIRECT
    ),
    # POST only for staff; anyone else is sent on (nothing to log out of).
    "admin:logout": everyone(REDIRECT, programme_staff=405, finance_staff=405, superuser=405),
    "admin:password_change": staff_only(programme_staff=200, finance_staff=200, superuser=200),
    "admin:password_change_done": staff_only(programme_staff=200, finance_staff=200, superuser=200),
    "admin:jsi18n": staff_only(programme_staff=200, finance_staff=200, superuser=200),
    "admin:autocomplete": staff_only(programme_staff=403, finance_staff=403, superuser=403),
    # No model in the admin has a public page of its own ("view on site").
    "admin:view_on_site": staff_only(programme_staff=404, finance_staff=404, superuser=404),
    "admin:app_list": staff_only(programme_staff=200, finance_staff=404, superuser=200),
    "admin:catch_all": staff_only(programme_staff=404, finance_staff=404, superuser=404),
    # Custom views of model admins.
    "admin:auth_user_password_change": staff_only(
        programme_staff=403, finance_staff=403, superuser=200
    ),
    "admin:participants_registration_export": staff_only(
        programme_staff=200, finance_staff=403, superuser=200
    ),
    "admin:participants_attendance_export": staff_only(
        programme_staff=200, finance_staff=403, superuser=200
    ),
    "admin:participants_attendance_simple_history": staff_only(
        programme_staff=200, finance_staff=403, superuser=200
    ),
    "admin:participants_stage_attendance_matrix": staff_only(
        programme_staff=200, finance_staff=403, superuser=200
    ),
    "admin:participants_zoomimport_preview": staff_only(
        programme_staff=200, finance_staff=403, superuser=200
    ),
    "admin:participants_certificate_issue": staff_only(
        programme_staff=200, finance_staff=403, superuser=200
    ),
    "admin:participants_certificate_revoke": staff_only(
        programme_staff=200, finance_staff=403, superuser=200
    ),
    "admin:participants_certificate_pdf": staff_only(
        programme_staff=200, finance_staff=403, superuser=200
    ),
    "admin:reporting_expenditure_scan": staff_only(
        programme_staff=403, finance_staff=200, superuser=200
    ),
    # A device's secret is never shown again, not even to superusers
    # (OTP_ADMIN_HIDE_SENSITIVE_DATA).
    "admin:otp_totp_totpdevice_config": staff_only(
        programme_staff=403, finance_staff=403, superuser=403
    ),
    "admin:otp_totp_totpdevice_qrcode": staff_only(
        programme_staff=403, finance_staff=403, superuser=403
    ),
}
# One past version of a row (django-simple-history), per model with history in the admin.
HISTORY_VERSION = {
    "participants.attendance": staff_only(programme_staff=200, finance_staff=403, superuser=200),
    "reporting.budget": staff_only(programme_staff=403, finance_staff=200, superuser=200),
    "reporting.fundingsource": staff_only(programme_staff=403, finance_staff=200, superuser=200),
    "reporting.budgetheading": staff_only(programme_staff=403, finance_staff=200, superuser=200),
    "reporting.expenditure": staff_only(programme_staff=403, finance_staff=200, superuser=200),
    "reporting.indicator": staff_only(programme_staff=403, finance_staff=403, superuser=200),
    "reporting.indicatorvalue": staff_only(programme_staff=403, finance_staff=403, superuser=200),
}
ADMIN_OWN |= {
    f"admin:{label.replace('.', '_')}_simple_history": answers
    for label, answers in HISTORY_VERSION.items()
}

STANDARD_VIEWS = {  # the route after "admin/<app>/<model>/" -> the view's letter
    "": "L",
    "add/": "A",
    "<path:object_id>/change/": "C",
    "<path:object_id>/delete/": "D",
    "<path:object_id>/history/": "H",
    "<path:object_id>/": "object",
}


def standard_answers(letters_by_visitor, view):
    answers = dict.fromkeys(NOT_ADMIN_STAFF, ADMIN_LOGIN)
    for visitor in ADMIN_STAFF:
        if view == "object":
            answers[visitor] = REDIRECT
        else:
            answers[visitor] = 200 if view in letters_by_visitor[visitor] else 403
    return answers


def expected_table():
    table = {**PUBLIC, **ADMIN_OWN}
    for label, letters in ADMIN_MODELS.items():
        for view in STANDARD_VIEWS.values():
            table[f"admin:{label}:{view}"] = standard_answers(letters, view)
    return table


# --- the routes, from the URL configuration ------------------------------------------------------
def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            name = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), name)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield prefix + str(pattern.pattern), name


def _admin_model_route(route):
    """``(app_label.model, rest)`` for a route of a model admin, else None."""
    for model in admin.site._registry:
        start = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
        if route.startswith(start):
            return model._meta.label_lower, route[len(start) :]
    return None


def route_key(route, name):
    """The table's key for a route: its URL name, or model admin and standard view."""
    model_route = _admin_model_route(route)
    if model_route and model_route[1] in STANDARD_VIEWS:
        label, rest = model_route
        return f"admin:{label}:{STANDARD_VIEWS[rest]}"
    if name is None and route.startswith("admin/"):
        return "admin:catch_all"
    return name


def routes():
    """Every route, keyed as in the table, with its pattern (the first, if several)."""
    found = {}
    for route, name in _walk(get_resolver().url_patterns):
        found.setdefault(route_key(route, name), route)
    return found


def test_every_route_has_an_entry():
    table, found = expected_table(), routes()

    assert sorted(set(found) - set(table)) == [], "routes without an entry in the table"
    assert sorted(set(table) - set(found)) == [], "entries for routes that no longer exist"


# --- the world every visitor is tried in ---------------------------------------------------------
def _user(username, *, group=None, **flags):
    user = User.objects.create_user(username, f"{username}@example.lv", "x", **flags)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def world(settings, tmp_path, monkeypatch):
    """One of everything an admin page or a link can show, and a user for each visitor."""
    settings.MEDIA_ROOT = tmp_path
    # /healthz answers 503 when the broker is down: that is its job, not a permission.
    monkeypatch.setattr("innovation_centre.views.broker_is_up", lambda: True)
    stage = StageFactory(capacity=20)
    session = SessionFactory(stage=stage)
    mine = RegistrationFactory(stage=stage, confirmed=True, participant=ParticipantFactory())
    other = RegistrationFactory(stage=stage, confirmed=True, participant=ParticipantFactory())
    users = {
        PROG: _user("programme", group=PROGRAMME_STAFF, is_staff=True),
        FIN: _user("finance", group="Finance staff", is_staff=True),
        COORD: _user("coordinator", group="Coordinators"),
        SUPER: User.objects.create_superuser("super", "super@example.lv", "x"),
    }
    certificate = _certificate(mine, session, users[SUPER])
    _one_of_everything_else(mine, session, users, tmp_path)
    return {
        "stage": stage,
        "session": session,
        "mine": mine,
        "other": other,
        "certificate": certificate,
        "users": users,
    }


def _certificate(registration, session, issuer):
    from participants.attendance.tests.factories import AttendanceFactory
    from participants.certificates.services import certificate_issue

    stage = registration.stage
    stage.planned_academic_hours = session.academic_hours
    stage.save()
    AttendanceFactory(
        participant=registration.participant,
        session=session,
        status="present",
        minutes_present=int((session.ends_at - session.starts_at).total_seconds() // 60),
    )
    return certificate_issue(participant=registration.participant, stage=stage, issued_by=issuer)


def _one_of_everything_else(registration, session, users, tmp_path):
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.core.files.base import ContentFile
    from django_celery_beat.models import (
        ClockedSchedule,
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
        SolarSchedule,
    )
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from participants.attendance.zoom_models import ZoomAlias
    from participants.models import ParticipantMail, ReminderDelivery
    from reporting.indicators.models import Indicator, IndicatorValue
    from reporting.tests.budget_factories import ExpenditureFactory, FundingSourceFactory

    participant, programme = registration.participant, session.stage.programme
    interval = IntervalSchedule.objects.create(every=1, period="minutes")
    CrontabSchedule.objects.create()
    SolarSchedule.objects.create(event="sunrise", latitude=55.87, longitude=26.53)
    ClockedSchedule.objects.create(clocked_time=timezone.now())
    PeriodicTask.objects.create(name="scan", task="participants.reminders_scan", interval=interval)
    web = {"user_agent": "x", "http_accept": "x", "path_info": "/admin/login/"}
    AccessAttempt.objects.create(**web, get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(**web)
    AccessFailureLog.objects.create(**web)
    ReminderRule.objects.create(programme=programme, kind="before", offset_minutes=60)
    _export_record(users[PROG])
    _zoom_import(session, users[PROG])
    ZoomAlias.objects.create(participant=participant, kind="name", key="x", label="x")
    ParticipantMail.objects.create(registration=registration, template="confirmation")
    ReminderDelivery.objects.create(
        registration=registration, session=session, kind="before", due_at=timezone.now()
    )
    expenditure = ExpenditureFactory(heading__budget__programme=programme)
    FundingSourceFactory(budget=expenditure.heading.budget, share=Decimal("100"))
    expenditure.scan.save("scan.pdf", ContentFile(b"%PDF-1.4\n"))
    indicator = Indicator.objects.first() or _indicator()
    IndicatorValue.objects.create(
        indicator=indicator,
        period_start=date(2021, 1, 1),
        period_end=date(2021, 6, 30),
        value=Decimal("1"),
    )
    _submitted_report(programme, session, users[COORD])
    TOTPDevice.objects.create(user=users[SUPER], name="phone", confirmed=True)


def _submitted_report(programme, session, user):
    from reporting.report.period import period_resolve
    from reporting.report.services import report_submit

    period = period_resolve(programme=programme, start=date(2021, 1, 1), end=date(2021, 6, 30))
    return report_submit(programme=programme, period=period, user=user)


def _zoom_import(session, user):
    from io import BytesIO

    from participants.attendance.tests.zoom_reports import Stay, older_report
    from participants.attendance.zoom_import import zoom_import_preview

    stay = Stay("Jānis Bērziņš", "j@x.lv", session.starts_at, session.ends_at)
    report = BytesIO(older_report([stay]))
    zoom_import_preview(session=session, csv_file=report, imported_by=user, file_name="r.csv")


def _export_record(user):
    from participants.models import ExportRecord

    ExportRecord.objects.create(
        kind=ExportRecord._meta.get_field("kind").choices[0][0], username=user.username
    )


def _indicator():
    from reporting.indicators.seed import indicators_seed

    indicators_seed()
    from reporting.indicators.models import Indicator

    return Indicator.objects.first()


# --- the requests --------------------------------------------------------------------------------
def _token(registration, salt):
    return links.make_token(registration, salt=salt)


def _forged(world, salt):
    """The other person's own token with the payload changed to name ``mine``."""
    genuine = _token(world["other"], salt)
    _payload, stamp, signature = genuine.split(":")
    payload = signing.b64_encode(b'{"r":%d}' % world["mine"].pk).decode()
    return f"{payload}:{stamp}:{signature}"


def _link(world, visitor, salt):
    if visitor == HOLDER:
        return _token(world["mine"], salt)
    if visitor == OTHER:
        return _forged(world, salt)
    return "not-a-link"


def _object(label):
    model = next(m for m in admin.site._registry if m._meta.label_lower == label)
    row = model.objects.order_by("pk").first()
    assert row is not None, f"the world has no {label}: add one in _one_of_everything_else"
    return row


def path_for(key, route, world, visitor):
    stage, certificate = world["stage"], world["certificate"]
    manage = f"/lv/manage/{_link(world, visitor, links.MANAGE_SALT)}/"
    confirm = f"/lv/confirm/{_link(world, visitor, links.CONFIRMATION_SALT)}/"
    report = f"/lv/reports/submitted/{_object('reporting.submittedreport').pk}/"
    zoom_import = _object("participants.zoomimport").pk
    certificates = "/admin/participants/certificate/"
    certificate_admin = f"{certificates}{certificate.pk}/"
    attendance = "/admin/participants/sessionattendance/"
    zoom = "/admin/participants/zoomimport/"
    expenditure = f"/admin/reporting/expenditure/{_object('reporting.expenditure').pk}/"
    special = {
        "set_language": "/i18n/setlang/",
        "participants:stage_detail": f"/lv/stages/{stage.pk}/",
        "participants:registration_sent": f"/lv/stages/{stage.pk}/registered/",
        "participants:registration_confirm": confirm,
        "participants:registration_manage": manage,
        "participants:registration_cancel": f"{manage}cancel/",
        "participants:registration_calendar": f"{manage}calendar.ics",
        "participants:registration_personal_data": f"{manage}personal-data.json",
        "certificates:verify": f"/lv/certificates/verify/{certificate.verification_code}/",
        "certificates:download": f"/lv/certificates/download/{manage.split('/')[3]}/",
        "reporting:download": "/lv/reports/download/?start=2021-01-01&end=2021-06-30&format=csv",
        "reporting:submitted_detail": report,
        "reporting:submitted_download": f"{report}csv/",
        "admin:autocomplete": "/admin/autocomplete/",
        "admin:view_on_site": f"/admin/r/{_content_type('courses.stage')}/{stage.pk}/",
        "admin:app_list": "/admin/courses/",
        "admin:catch_all": "/admin/no-such-page/",
        "admin:auth_user_password_change": f"/admin/auth/user/{world['users'][PROG].pk}/password/",
        "admin:participants_stage_attendance_matrix": f"{attendance}stage/{stage.pk}/matrix.xlsx",
        "admin:participants_zoomimport_preview": f"{zoom}{zoom_import}/preview/",
        "admin:participants_certificate_revoke": f"{certificate_admin}revoke/",
        "admin:participants_certificate_pdf": f"{certificate_admin}pdf/",
        "admin:participants_certificate_issue": f"{certificates}issue/?stage={stage.pk}",
        "admin:reporting_expenditure_scan": f"{expenditure}scan/",
    }
    if key in special:
        return special[key]
    if key.endswith("_simple_history"):
        row = _object(route.split("/")[1] + "." + route.split("/")[2])
        return f"/{route.split('^')[0]}{row.pk}/history/{row.history.first().history_id}/"
    if key.startswith("admin:otp_totp_totpdevice_"):
        return "/" + route.replace("<int:pk>", str(_object("otp_totp.totpdevice").pk))
    if "<path:object_id>" in route:
        label = key.split(":")[1]
        return "/" + route.replace("<path:object_id>", str(_object(label).pk))
    return f"/{route}"  # routes under i18n_patterns start with the language ("lv/")


def _content_type(label):
    from django.contrib.contenttypes.models import ContentType

    app_label, model = label.split(".")
    return ContentType.objects.get(app_label=app_label, model=model).pk


def answer_of(response):
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/admin/login/"):
            return ADMIN_LOGIN
        if location.startswith("/lv/reports/login/"):
            return REPORTS_LOGIN
        return REDIRECT
    return response.status_code


@pytest.mark.parametrize("visitor", VISITORS)
def test_every_route_answers_every_visitor_as_the_table_says(world, visitor):
    client = Client(raise_request_exception=False)
    if visitor in world["users"]:
        client.force_login(world["users"][visitor])
    table = expected_table()
    wrong = {}
    for key, route in sorted(routes().items()):
        path = path_for(key, route, world, visitor)
        got = answer_of(client.get(path))
        if key in table and got != table[key][visitor]:
            wrong[f"{key} {path}"] = f"expected {table[key][visitor]}, got {got}"

    assert not wrong, "\n".join(f"{visitor}: {route} {why}" for route, why in wrong.items())


def test_the_link_holder_sees_their_own_data_and_the_other_holder_sees_none(world):
    client = Client()
    mine = world["mine"].participant

    own = client.get(f"/lv/manage/{_link(world, HOLDER, links.MANAGE_SALT)}/")
    forged = client.get(f"/lv/manage/{_link(world, OTHER, links.MANAGE_SALT)}/")

    assert mine.email in own.content.decode()
    assert forged.status_code == 400
    assert mine.email not in forged.content.decode()
    assert mine.last_name not in forged.content.decode()
