"""CSV export of registrations for programme staff.

The file follows the conventions of ``participants.csv_stream`` (Excel in Latvia: UTF-8 with a
BOM, ``;``, Riga time, formulas neutralised) and is streamed from the database in batches.
"""

from collections.abc import Iterator

from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Coalesce, Concat, NullIf
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from participants.csv_stream import (
    BOM,
    DELIMITER,
    FORMULA_TRIGGERS,
    Choice,
    ChoiceList,
    Column,
    CsvFile,
    LocalDateTime,
    YesNoIf,
    csv_lines,
    local_datetime,
    neutralise,
)
from participants.models import Participant, Registration
from participants.municipalities import MUNICIPALITY_CHOICES

__all__ = ["BOM", "DELIMITER", "FORMULA_TRIGGERS", "local_datetime", "neutralise"]

P = "participant__"
COLUMNS = [
    Column(_("First name"), (P + "first_name",)),
    Column(_("Last name"), (P + "last_name",)),
    Column(_("E-mail"), (P + "email",)),
    Column(_("Phone"), (P + "phone",)),
    Column(_("Role"), (P + "role",), Choice(Participant.Role.choices)),
    Column(_("Subjects taught"), (P + "subjects",), ChoiceList(Participant.Subject.choices)),
    Column(_("Institution"), (P + "institution",)),
    Column(_("Municipality"), (P + "municipality",), Choice(MUNICIPALITY_CHOICES)),
    Column(_("Sex"), (P + "sex",), Choice(Participant.Sex.choices)),
    Column(_("Preferred language"), (P + "language",), Choice(Participant.Language.choices)),
    Column(_("Stage"), ("stage_label",)),
    Column(_("Status"), ("status",), Choice(Registration.Status.choices)),
    Column(_("Registered"), ("created_at",), LocalDateTime()),
    Column(_("E-mail confirmed"), ("email_confirmed_at",), LocalDateTime()),
    Column(_("Seat taken"), ("confirmed_at",), LocalDateTime()),
    Column(_("On the waiting list since"), ("waiting_since",), LocalDateTime()),
    Column(_("Cancelled"), ("cancelled_at",), LocalDateTime()),
    Column(
        _("Cancelled by staff"),
        ("cancelled_by_staff", "cancelled_at"),
        YesNoIf(yes=_("yes"), no=_("no")),
    ),
    Column(_("Reason for cancelling"), ("cancellation_reason",)),
    Column(_("Consent text version"), ("consent_version",)),
    Column(_("Consent given"), ("consent_at",), LocalDateTime()),
]
ORDERING = ("stage__programme_id", "stage__order", "stage_id", "created_at", "id")


def stage_label(prefix="stage__"):
    """``"2. Stage title"`` in the active language (English falls back to Latvian), in SQL."""
    title = F(prefix + "title_lv")
    if (translation.get_language() or "lv").startswith("en"):
        title = Coalesce(NullIf(prefix + "title_en", Value("")), prefix + "title_lv")
    order = Cast(prefix + "order", CharField())
    return Concat(order, Value(". "), title, output_field=CharField())


def registration_csv_file(registrations) -> CsvFile:
    """The registrations file over ``registrations`` (a queryset), in the active language."""
    return CsvFile(
        queryset=registrations,
        columns=COLUMNS,
        ordering=ORDERING,
        annotations={"stage_label": stage_label()},
    )


def registration_csv_lines(registrations, *, language=None) -> Iterator[str]:
    """The CSV file as text pieces, BOM first: for a streaming HTTP response.

    The words are in ``language`` (by default the one active now, i.e. the request's), even
    though a streaming response is written after the view has returned.
    """
    return csv_lines(lambda: registration_csv_file(registrations), language=language)


def write_registrations_csv(registrations, out) -> None:
    """Write the CSV file for ``registrations`` (a queryset) to the text stream ``out``."""
    out.writelines(registration_csv_lines(registrations))


def csv_filename(now=None, *, prefix="registrations") -> str:
    local = timezone.localtime(now or timezone.now())
    return f"{prefix}-{local:%Y-%m-%d-%H%M}.csv"
