"""Budget, funding sources, expenditure and the funder's indicators.

The models live in one package per capability (``reporting/budget/``, ...); Django finds them
here.
"""

from reporting.budget.models import (  # noqa: F401
    Budget,
    BudgetHeading,
    Expenditure,
    FundingSource,
)
from reporting.indicators.models import Indicator, IndicatorValue  # noqa: E402, F401
from reporting.report.models import SubmittedReport  # noqa: E402, F401
