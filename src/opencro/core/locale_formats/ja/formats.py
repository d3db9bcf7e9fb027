"""The same ISO 8601 formats as English (see `opencro.core.locale_formats.en.formats`)."""

from opencro.core.locale_formats.en.formats import *  # noqa: F403
