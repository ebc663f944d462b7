"""Database expressions the models' constraints need, written for PostgreSQL and SQLite."""

from django.db import models


class MinutesBetween(models.Func):
    """Minutes from the first datetime to the second, as a number usable in a CHECK constraint."""

    arity = 2
    output_field = models.DecimalField(max_digits=12, decimal_places=4)

    def __init__(self, start, end, **extra):
        super().__init__(end, start, **extra)  # the SQL reads "end - start"

    def as_postgresql(self, compiler, connection, **extra_context):
        template = "(EXTRACT(EPOCH FROM (%(expressions)s)) / 60)"
        return self.as_sql(
            compiler, connection, template=template, arg_joiner=" - ", **extra_context
        )

    def as_sql(self, compiler, connection, **extra_context):
        extra_context.setdefault("template", "((julianday(%(expressions)s)) * 1440.0)")
        extra_context.setdefault("arg_joiner", ") - julianday(")
        return super().as_sql(compiler, connection, **extra_context)
