"""What each registration mail contains: its links, the stage's sessions and the .ics file."""

from django.utils import translation
from django.utils.text import slugify

from participants.calendar import calendar_for_sessions
from participants.links import confirmation_url, manage_url
from participants.mail import render_participant_mail
from participants.models import Participant, Registration
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


def registration_mail_context(registration, template, *, mail=None):
    context = {
        "registration": registration,
        "stage": registration.stage,
        "sessions": list(stage_sessions(registration.stage)),
        "manage_url": manage_url(registration),
    }
    if registration.status == Registration.Status.AWAITING_CONFIRMATION:
        # The link names this mail, so confirming with it applies the details typed for it.
        context["confirmation_url"] = confirmation_url(
            registration, mail_id=mail.pk if mail else None
        )
    return context


def stage_calendar_attachment(registration, sessions):
    language = registration.participant.language
    with translation.override(language):
        title = str(registration.stage)
    content = calendar_for_sessions(sessions, language=language, title=title)
    filename = f"{slugify(registration.stage.title_lv) or 'stage'}.ics"
    return (filename, content, "text/calendar")


def registration_mail_message(*, registration, template, mail=None):
    """The message ``template`` about ``registration``; ``mail`` is its outbox row, if any.

    A confirmation request is written in the language of the form it answers (the person's
    stored language changes only when they confirm). The mail says a calendar file is attached
    only when it is (``calendar_attached``): a stage without sessions has none.
    """
    if template not in TEMPLATES:
        raise ValueError(f"Unknown registration mail: {template}")
    language = ((mail.payload or {}).get("details") or {}).get("language") if mail else None
    if template == "awaiting_confirmation" and language in dict(Participant.Language.choices):
        registration.participant.language = language  # this message only; never saved
    context = registration_mail_context(registration, template, mail=mail)
    attachments = []
    if template in WITH_CALENDAR and context["sessions"]:
        attachments.append(stage_calendar_attachment(registration, context["sessions"]))
    context["calendar_attached"] = bool(attachments)
    return render_participant_mail(
        participant=registration.participant,
        template=template,
        context=context,
        attachments=attachments,
    )


def send_registration_mail(*, registration, template):
    """Send at once, outside the outbox (for tools and tests; the services use the outbox)."""
    registration_mail_message(registration=registration, template=template).send()
