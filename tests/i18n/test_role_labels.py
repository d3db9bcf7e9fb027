"""Default role names follow the viewer's language; a study's own renamed role keeps its name."""

import pytest
from django.utils import translation

from opencro.accounts.models import Role

pytestmark = pytest.mark.django_db


def test_default_role_label_is_translated_and_renamed_role_is_kept(world):
    role = Role.objects.get(study=world.study, code="investigator")
    with translation.override("es"):
        assert role.label == "Investigador"
    with translation.override("en"):
        assert role.label == "Investigator"
    role.name = "Sub-investigator"
    with translation.override("es"):
        assert role.label == "Sub-investigator"
