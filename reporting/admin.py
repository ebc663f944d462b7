"""The reporting app's admin pages, one module per capability."""

from reporting.budget import admin as budget_admin  # noqa: F401
from reporting.indicators import admin as indicators_admin  # noqa: F401
