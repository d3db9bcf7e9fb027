"""The one exception the table statistics raise for input they cannot use."""


class TableStatisticsError(ValueError):
    """Input a table statistic cannot use: an empty group, a zero row, a singular design, a table too large.

    `parameter` names the argument (or column) at fault so the TFL engine and the CLI can point at it.
    """

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message
