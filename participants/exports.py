"""CSV export of registrations for programme staff.

The file is made for Excel as set up in Latvia:
- UTF-8 with a byte-order mark, so Excel reads Latvian letters (ā, č, ē, ...) intact instead of
  guessing a Windows code page;
- semicolon-separated: Latvian regional settings use the comma as the decimal separator and the
  semicolon as the list separator, and Excel splits a double-clicked CSV on the list separator
  (LibreOffice asks, and offers the semicolon when it sees one);
- a header row in the language of the person exporting;
- dates and times in Europe/Riga as ``15.03.2021. 14:30``;
- every cell that a spreadsheet would read as a formula (starting with ``= + - @``, a tab or a
  carriage return) is prefixed with a single quote, so a name like ``=HYPERLINK(...)`` typed into
  the public form is shown as text, never run (CSV/formula injection).
"""

import csv
from collections.abc import Iterator

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

BOM = "\ufeff"
DELIMITER = ";"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """The cell's text, with a leading quote if a spreadsheet would take it for a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def local_datetime(value) -> str:
    if value is None:
        return ""
    return timezone.localtime(value).strftime("%d.%m.%Y. %H:%M")


def subjects_text(participant) -> str:
    return ", ".join(str(label) for label in participant.get_subjects_display())


def yes_no(value) -> str:
    return str(_("yes") if value else _("no"))


# (header, value of one registration); headers are lazy so they follow the active language.
COLUMNS = [
    (_("First name"), lambda r: r.participant.first_name),
    (_("Last name"), lambda r: r.participant.last_name),
    (_("E-mail"), lambda r: r.participant.email),
    (_("Phone"), lambda r: r.participant.phone),
    (_("Role"), lambda r: r.participant.get_role_display()),
    (_("Subjects taught"), lambda r: subjects_text(r.participant)),
    (_("Institution"), lambda r: r.participant.institution),
    (_("Municipality"), lambda r: r.participant.get_municipality_display()),
    (_("Sex"), lambda r: r.participant.get_sex_display()),
    (_("Preferred language"), lambda r: r.participant.get_language_display()),
    (_("Stage"), lambda r: str(r.stage)),
    (_("Status"), lambda r: r.get_status_display()),
    (_("Registered"), lambda r: local_datetime(r.created_at)),
    (_("E-mail confirmed"), lambda r: local_datetime(r.email_confirmed_at)),
    (_("Seat taken"), lambda r: local_datetime(r.confirmed_at)),
    (_("On the waiting list since"), lambda r: local_datetime(r.waiting_since)),
    (_("Cancelled"), lambda r: local_datetime(r.cancelled_at)),
    (_("Cancelled by staff"), lambda r: yes_no(r.cancelled_by_staff) if r.cancelled_at else ""),
    (_("Reason for cancelling"), lambda r: r.cancellation_reason),
    (_("Consent text version"), lambda r: r.consent_version),
    (_("Consent given"), lambda r: local_datetime(r.consent_at)),
]


def header_row() -> list[str]:
    return [str(header) for header, _value in COLUMNS]


def registration_row(registration) -> list[str]:
    return [neutralise(value(registration)) for _header, value in COLUMNS]


def registration_rows(registrations) -> Iterator[list[str]]:
    """The header, then one row per registration, read in chunks (one query per 2000 rows)."""
    yield header_row()
    queryset = registrations.select_related("participant", "stage").order_by("stage", "created_at")
    for registration in queryset.iterator(chunk_size=2000):
        yield registration_row(registration)


class _Line:
    """A file-like object whose ``write`` hands the formatted line back instead of storing it."""

    def write(self, text):
        return text


def registration_csv_lines(registrations, *, language=None) -> Iterator[str]:
    """The CSV file as text pieces, BOM first: for a streaming HTTP response.

    The words are in ``language`` (by default the one active now, i.e. the request's), even
    though a streaming response is written after the view has returned.
    """
    return _csv_lines(registrations, language or translation.get_language())


def _csv_lines(registrations, language):
    writer = csv.writer(_Line(), delimiter=DELIMITER, lineterminator="\r\n")
    with translation.override(language):
        yield BOM
        for row in registration_rows(registrations):
            yield writer.writerow(row)


def write_registrations_csv(registrations, out) -> None:
    """Write the CSV file for ``registrations`` (a queryset) to the text stream ``out``."""
    out.writelines(registration_csv_lines(registrations))


def csv_filename(now=None, *, prefix="registrations") -> str:
    local = timezone.localtime(now or timezone.now())
    return f"{prefix}-{local:%Y-%m-%d-%H%M}.csv"
