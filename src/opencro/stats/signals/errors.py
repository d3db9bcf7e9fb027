"""The one exception the signal-detection methods raise for bad input."""


class SignalInputError(ValueError):
    """An argument or input column is unusable; `parameter` names it so the CLI can point at it."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message
