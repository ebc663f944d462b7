"""CSV files for staff, streamed from the database with flat memory, whatever the row count.

A file is a list of ``Column`` s over a queryset: each column names the value it shows (a field
path or an expression of the queryset) and how the value becomes a cell (``Format``). The file is
the same on every database; how it is made is not:

- On PostgreSQL the cells are made by the database: the queryset's own SQL (its filters, joins
  and expressions, without its ordering) is wrapped in one ``SELECT`` whose columns are the
  finished cells (Riga time with ``to_char``, labels with ``CASE``, formula neutralising with
  ``left()``), read through a server-side cursor in batches and written with ``csv.writer``'s
  ``writerows`` (C). Python does no per-cell work, so the file comes at about half the rate of
  PostgreSQL's own ``COPY`` of the same ``SELECT`` (see bench/csv_export.py).
- Elsewhere (SQLite in development) the same values are read in chunks with
  ``values_list().iterator()`` and made into cells in Python by the same columns.

Both ways are tested to give the same file (participants/tests/test_csv_stream.py).

Every file is made for Excel as set up in Latvia:
- UTF-8 with a byte-order mark, so Excel reads Latvian letters (ā, č, ē, ...) intact instead of
  guessing a Windows code page;
- semicolon-separated: Latvian regional settings use the comma as the decimal separator and the
  semicolon as the list separator, and Excel splits a double-clicked CSV on the list separator
  (LibreOffice asks, and offers the semicolon when it sees one); numbers with a fraction are
  written with the decimal comma;
- a header row in the language of the person exporting;
- dates and times in Europe/Riga as ``15.03.2021. 14:30``;
- every cell that a spreadsheet would read as a formula (starting with ``= + - @``, a tab or a
  carriage return) is prefixed with a single quote, so a name like ``=HYPERLINK(...)`` typed into
  the public form is shown as text, never run (CSV/formula injection).
"""

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F
from django.utils import timezone, translation
from django.utils.choices import flatten_choices

BOM = "\ufeff"
DELIMITER = ";"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
BATCH_ROWS = 5000  # rows per fetch from the server-side cursor, and per piece of the response
DATETIME_FORMAT_SQL = "DD.MM.YYYY. HH24:MI"  # = local_datetime below
_TRIGGERS_SQL = ", ".join(f"chr({ord(char)})" for char in FORMULA_TRIGGERS)


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


def neutralise_sql(expression: str, params=()) -> tuple[str, list]:
    """SQL for ``neutralise``: the text, with a leading quote if it starts like a formula.

    The expression is written three times, so its ``params`` are given three times.
    """
    text = f"COALESCE(({expression})::text, '')"
    sql = f"(CASE WHEN left({text}, 1) IN ({_TRIGGERS_SQL}) THEN '''' || {text} ELSE {text} END)"
    return sql, [*params] * 3


class Format:
    """How one column's value(s) become a cell: in Python, and as PostgreSQL SQL."""

    def python(self, *values) -> str:
        raise NotImplementedError

    def sql(self, *columns: str) -> tuple[str, list]:
        raise NotImplementedError


class Text(Format):
    def python(self, value):
        return neutralise(value)

    def sql(self, column):
        return neutralise_sql(column)


class Integer(Format):
    def python(self, value):
        return "" if value is None else str(value)

    def sql(self, column):
        return f"COALESCE(({column})::text, '')", []


class LocalDateTime(Format):
    """Europe/Riga (``TIME_ZONE``), written ``15.03.2027. 14:30``; empty when there is none."""

    def python(self, value):
        return local_datetime(value)

    def sql(self, column):
        expression = f"COALESCE(to_char(({column}) AT TIME ZONE %s, '{DATETIME_FORMAT_SQL}'), '')"
        return expression, [settings.TIME_ZONE]


class Hours(Format):
    """Academic hours to the hundredth, rounded half up, with the Latvian decimal comma."""

    def python(self, value):
        hours = Decimal(value or 0).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return str(hours).replace(".", ",")

    def sql(self, column):
        return f"replace(round(COALESCE(({column}), 0)::numeric, 2)::text, '.', ',')", []


@dataclass
class Choice(Format):
    """A code shown as its label (in the language of the file); an unknown code as it is."""

    choices: Sequence

    def labels(self) -> dict[str, str]:
        return _labels(self.choices)

    def python(self, value):
        return neutralise(self.labels().get(value, value))

    def sql(self, column):
        return _case_sql(column, self.labels(), default=neutralise_sql(column)[0])


@dataclass
class ChoiceList(Format):
    """A JSON list of codes shown as their labels, ``", "``-separated."""

    choices: Sequence

    def python(self, value):
        labels = _labels(self.choices)
        return neutralise(", ".join(labels.get(code, code) for code in value or []))

    def sql(self, column):
        label, params = _case_sql("code", _labels(self.choices), default="code")
        # Our own SQL around a column name; the labels are parameters.
        listed = (
            f"(SELECT string_agg({label}, ', ' ORDER BY n) "  # noqa: S608
            f"FROM jsonb_array_elements_text(COALESCE(({column})::jsonb, '[]'::jsonb)) "
            f"WITH ORDINALITY AS item(code, n))"
        )
        return neutralise_sql(listed, params)


@dataclass
class YesNoIf(Format):
    """ "yes" or "no" for a flag, only where another value is set (else an empty cell)."""

    yes: str
    no: str

    def python(self, flag, condition):
        if condition is None:
            return ""
        return str(self.yes) if flag else str(self.no)

    def sql(self, flag, condition):
        expression = f"(CASE WHEN ({condition}) IS NULL THEN '' WHEN ({flag}) THEN %s ELSE %s END)"
        return expression, [str(self.yes), str(self.no)]


def _labels(choices) -> dict[str, str]:
    """Code -> label in the active language, groups (optgroups) flattened."""
    return {code: str(label) for code, label in flatten_choices(choices)}


def _case_sql(column, labels, *, default):
    if not labels:
        return default, []
    whens = " ".join("WHEN %s THEN %s" for _code in labels)
    params = [item for code, label in labels.items() for item in (code, label)]
    return f"(CASE ({column}) {whens} ELSE {default} END)", params


@dataclass
class Column:
    """A column of the file: its header, the values it shows (field paths or aliases of
    ``CsvFile.annotations``), and how they become the cell."""

    header: str
    values: tuple[str, ...]
    format: Format = field(default_factory=Text)


@dataclass
class CsvFile:
    """A CSV file over ``queryset``: ``columns`` in ``ordering`` (field paths), written in the
    language active when the lines are made. ``annotations`` are expressions the columns may
    name (computed by the database on every backend)."""

    queryset: object
    columns: list[Column]
    ordering: tuple[str, ...]
    annotations: dict = field(default_factory=dict)

    def header(self) -> list[str]:
        return [str(column.header) for column in self.columns]

    def _values(self):
        """The queryset reduced to the values the columns and the ordering need, named v0, v1..."""
        names = list(dict.fromkeys(v for column in self.columns for v in column.values))
        names += [name for name in self.ordering if name not in names]
        aliases = {name: f"v{index}" for index, name in enumerate(names)}
        expressions = {
            alias: self.annotations[name] if name in self.annotations else F(name)
            for name, alias in aliases.items()
        }
        return self.queryset.order_by().values(**expressions), aliases

    def python_rows(self) -> Iterator[list[str]]:
        values, aliases = self._values()
        ordered = values.order_by(*(aliases[name] for name in self.ordering))
        for row in ordered.iterator(chunk_size=2000):
            yield [
                column.format.python(*(row[aliases[v]] for v in column.values))
                for column in self.columns
            ]

    def select_sql(self, connection=None) -> tuple[str, list]:
        """One PostgreSQL ``SELECT`` whose columns are the finished cells, in the file's order."""
        values, aliases = self._values()
        inner, params = values.query.get_compiler(values.db).as_sql()
        cells, cell_params = [], []
        for column in self.columns:
            sql, extra = column.format.sql(*(f"q.{aliases[v]}" for v in column.values))
            cells.append(sql)
            cell_params += extra
        order = ", ".join(f"q.{aliases[name]}" for name in self.ordering)
        # Only our own SQL and Django's compiled query; every value is a parameter.
        sql = f"SELECT {', '.join(cells)} FROM ({inner}) AS q ORDER BY {order}"  # noqa: S608
        return sql, [*cell_params, *params]

    def uses_sql(self) -> bool:
        return connections[self.queryset.db].vendor == "postgresql"

    def lines(self) -> Iterator[str]:
        """The file as text pieces (BOM and header first), for a streaming response."""
        rows = self._sql_batches() if self.uses_sql() else _batched(self.python_rows())
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
        writer.writerow(self.header())
        yield BOM + _take(buffer)
        for batch in rows:
            writer.writerows(batch)
            yield _take(buffer)

    def _sql_batches(self):
        try:
            sql, params = self.select_sql()
        except EmptyResultSet:  # a filter that can select nothing (e.g. no such stage)
            return
        connection = connections[self.queryset.db]
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(BATCH_ROWS):
                yield batch


def _batched(rows, size=BATCH_ROWS):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def csv_lines(csv_file_factory, *, language=None) -> Iterator[str]:
    """The lines of ``csv_file_factory()`` made in ``language`` (by default the active one).

    A streaming response is written after the view has returned, outside the request's
    language: the file's headers and labels are made inside ``translation.override``.
    """
    return _lines_in(csv_file_factory, language or translation.get_language())


def _lines_in(csv_file_factory, language):
    with translation.override(language):
        yield from csv_file_factory().lines()
