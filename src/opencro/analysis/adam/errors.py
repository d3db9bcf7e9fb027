"""The two errors of ADaM derivation: a specification that is wrong, and data a specification cannot derive."""


class AdamError(ValueError):
    """Base of the package's errors; `where` locates the problem (file, dataset, variable, parameter)."""

    def __init__(self, message: str, *, where: tuple[str, ...] = ()) -> None:
        self.message = message
        self.where = tuple(part for part in where if part)
        super().__init__(str(self))

    def __str__(self) -> str:
        return ": ".join((*self.where, self.message))


class SpecError(AdamError):
    """A derivation specification that cannot be loaded: unknown kind, missing parameter, bad value."""


class DerivationError(AdamError):
    """Source data that a (valid) specification cannot derive: a missing domain or column, duplicate keys."""
