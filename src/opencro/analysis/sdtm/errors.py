"""Domain exceptions of the SDTM engine: every rejection lists its located problems."""

from __future__ import annotations

from opencro.formats.errors import Problem


class SdtmError(ValueError):
    """Input frames, a mapping specification or a build that cannot be accepted; carries every located problem."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem("", problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems[:20]))


class SpecError(SdtmError):
    """A mapping specification that is malformed: each problem names the file, the domain and the entry."""


class InputError(SdtmError):
    """An input frame that lacks columns or holds unusable values: each problem names the frame, column and row."""
