"""A third site of T-001 (C1, in a new country, Germany) with nothing recorded yet: the rules' test bed."""

import datetime as dt

import pytest

from opencro.studies import services as studies
from opencro.studies.models import Country

DAY = dt.date(2026, 2, 2)


@pytest.fixture
def fresh_site(world):
    germany = studies.protocol_item_save(
        actor=None, instance=Country(study=world.study, code="DE", name="Germany", regulator="BfArM")
    )
    return studies.site_create(
        actor=None,
        study=world.study,
        number="C1",
        institution="Gamma Klinikum",
        principal_investigator="Dr C",
        country=germany,
        time_zone="Europe/Berlin",
    )
