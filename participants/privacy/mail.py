"""The "fresh links" mail: the person's current personal links, after they asked for new ones.

Recorded in the outbox by ``participant_fresh_links_request`` (whose module imports this one,
as do workers through ``CELERY_IMPORTS``, so the builder is always registered). Links are made
when the mail is sent, so they carry the participant's current link version.
"""

from participants.links import confirmation_url, manage_url
from participants.mail import render_participant_mail
from participants.models import Registration
from participants.outbox.delivery import message_builder

FRESH_LINKS = "fresh_links"


def fresh_links(participant):
    """(registration, link) for each live registration: a confirmation link while unconfirmed."""
    registrations = (
        Registration.objects.filter(participant=participant)
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("participant", "stage")
        .order_by("stage__order", "pk")
    )
    return [
        (r, confirmation_url(r) if r.status == r.Status.AWAITING_CONFIRMATION else manage_url(r))
        for r in registrations
    ]


@message_builder(FRESH_LINKS)
def fresh_links_message(mail):
    """None (the row is skipped) when the person was erased or has no live registration left."""
    participant = mail.registration.participant
    links = fresh_links(participant) if participant.erased_at is None else []
    if not links:
        return None
    registration = next(
        (r for r, _link in links if r.status != r.Status.AWAITING_CONFIRMATION), links[0][0]
    )
    return render_participant_mail(
        participant=participant,
        template=FRESH_LINKS,
        context={"links": links, "manage_url": manage_url(registration)},
    )
