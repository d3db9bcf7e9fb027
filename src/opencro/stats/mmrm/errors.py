"""The one exception the MMRM raises for input it cannot use or a fit that fails."""


class MmrmError(ValueError):
    """Unusable MMRM input or a failed fit: a missing column, a rank-deficient design, no convergence.

    `parameter` names the argument (or column) at fault so the TFL engine and the CLI can point at it.
    """

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message
