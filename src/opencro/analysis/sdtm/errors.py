"""Domain exceptions of the SDTM engine: every rejection lists its located problems."""

from __future__ import annotations

from opencro.formats.errors import FormatError


class SdtmError(FormatError):
    """Input frames, a mapping specification or a build that cannot be accepted; carries every located problem
    (`problems`, as a file's FormatError does)."""


class SpecError(SdtmError):
    """A mapping specification that is malformed: each problem names the file, the domain and the entry."""


class InputError(SdtmError):
    """An input frame that lacks columns or holds unusable values: each problem names the frame, column and row."""
