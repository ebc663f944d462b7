"""What each registration mail contains: its links, the stage's sessions and the .ics file."""

from django.utils import translation
from django.utils.text import slugify

from participants.calendar import calendar_for_sessions
from participants.links import confirmation_url, manage_url
from participants.mail import send_participant_mail
from participants.models import Registration
from participants.selectors import stage_sessions

TEMPLATES = (
    "awaiting_confirmation",
    "confirmed",
    "waiting_list",
    "promoted",
    "cancelled",
    "manage_link",
)
# Mails that tell the person they have a seat carry the calendar of all the stage's sessions.
WITH_CALENDAR = ("confirmed", "promoted")


def registration_mail_context(registration, template):
    context = {
        "registration": registration,
        "stage": registration.stage,
        "sessions": list(stage_sessions(registration.stage)),
        "manage_url": manage_url(registration),
    }
    if registration.status == Registration.Status.AWAITING_CONFIRMATION:
        context["confirmation_url"] = confirmation_url(registration)
    return context


def stage_calendar_attachment(registration, sessions):
    language = registration.participant.language
    with translation.override(language):
        title = str(registration.stage)
    content = calendar_for_sessions(sessions, language=language, title=title)
    filename = f"{slugify(registration.stage.title_lv) or 'stage'}.ics"
    return (filename, content, "text/calendar")


def send_registration_mail(*, registration, template):
    if template not in TEMPLATES:
        raise ValueError(f"Unknown registration mail: {template}")
    context = registration_mail_context(registration, template)
    attachments = []
    if template in WITH_CALENDAR and context["sessions"]:
        attachments.append(stage_calendar_attachment(registration, context["sessions"]))
    send_participant_mail(
        participant=registration.participant,
        template=template,
        context=context,
        attachments=attachments,
    )
