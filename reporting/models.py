"""Budget, funding sources, expenditure and the funder's indicators (built in a later step)."""
