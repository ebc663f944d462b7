"""Mail to participants: rendered in their language, text and HTML, with the funder's note."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from courses.selectors import current_programme


def render_participant_mail(*, participant, template, context, attachments=()):
    """Build the message from ``templates/participants/email/<template>_{subject,body}.*``.

    Rendered inside the participant's language so dates, times and words follow it.
    ``attachments`` is a sequence of ``(filename, content, mimetype)``.
    """
    with translation.override(participant.language):
        context = {
            "participant": participant,
            "programme": context.get("programme") or current_programme(),
            "site_url": settings.SITE_URL,
            **context,
        }
        prefix = f"participants/email/{template}"
        subject = " ".join(render_to_string(f"{prefix}_subject.txt", context).split())
        text = render_to_string(f"{prefix}_body.txt", context)
        html = render_to_string(f"{prefix}_body.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[participant.email],
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message


def send_participant_mail(*, participant, template, context, attachments=()):
    render_participant_mail(
        participant=participant, template=template, context=context, attachments=attachments
    ).send()
