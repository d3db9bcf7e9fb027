"""Dates render as ISO 8601 in every shipped language."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation


@pytest.mark.parametrize("language", ["en", "es", "ja"])
def test_dates_are_iso_in_every_language(language):
    with translation.override(language):
        rendered = Template("{{ d }}|{{ d|date }}").render(Context({"d": dt.date(2025, 11, 3)}))
    assert rendered == "2025-11-03|2025-11-03"
