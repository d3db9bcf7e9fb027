"""The one error of the expression language: says what is wrong and at which column."""


class ExpressionError(ValueError):
    """An expression that cannot be parsed or evaluated safely.

    `column` is 1-based and counted over the whole source text, newlines included (None when
    unknown, e.g. for a hand-built tree), so an editor can point at the offending character.
    """

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message, column)
        self.message = message
        self.column = column if column else None

    def __str__(self) -> str:
        if self.column:
            return f"{self.message} at column {self.column}"
        return self.message
