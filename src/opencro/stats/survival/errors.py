"""The one exception the survival methods raise for input they cannot use."""


class SurvivalInputError(ValueError):
    """Unusable survival input: a negative time, no events, a single group, a non-converging Cox fit.

    `parameter` names the argument (or column) at fault so the TFL engine and the CLI can point at it.
    """

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message
