"""The one exception central statistical monitoring raises for bad input."""


class CsmInputError(ValueError):
    """An argument or input block is unusable; `parameter` names it so a caller can point at it."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message
