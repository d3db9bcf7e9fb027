"""The domain errors of the TFL engine: each says where (file, spec path, dataset) the problem is."""


class TflError(ValueError):
    """A table, listing or figure that cannot be produced; `location` points at the cause.

    `location` reads like ``14-3.01.yaml: rows[2].variable`` (file, then the path inside the specification)
    or ``ADQSADAS`` (a dataset); the message says what is wrong there.
    """

    def __init__(self, location: str, message: str) -> None:
        super().__init__(f"{location}: {message}" if location else message)
        self.location = location
        self.message = message


class SpecError(TflError):
    """An output specification that is malformed or does not fit the data it names."""


class DataError(TflError):
    """A dataset that is missing, unreadable, or lacks what the specification needs."""
