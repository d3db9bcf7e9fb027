"""Design reads stay inside the study of the caller's membership."""

import pytest
from django.http import Http404

from opencro.accounts.access import access_for
from opencro.accounts.permissions import RoleCode
from opencro.design.selectors import (
    design_adopted,
    design_get,
    design_list,
    designs_for_comparison,
    protocol_version_get,
    protocol_versions_draft,
)
from opencro.design.services import design_adopt, design_save
from tests.conftest import PASSWORD
from tests.design.conftest import MEANS, saved

pytestmark = pytest.mark.django_db


def test_list_and_get_are_scoped_to_the_study(design_world):
    w = design_world
    mine = saved(w, "Mine")
    theirs = design_save(actor=None, study=w.other_study, name="Theirs", kind="means", inputs=MEANS)
    access = access_for(w.user(RoleCode.MONITOR), w.study.pk)
    assert list(design_list(access)) == [mine]
    assert design_get(access, mine.pk) == mine
    with pytest.raises(Http404):
        design_get(access, theirs.pk)
    with pytest.raises(Http404):
        designs_for_comparison(access, [mine.pk, theirs.pk])


def test_list_filters_and_comparison_order(design_world):
    w = design_world
    a, b = saved(w, "A"), saved(w, "B", kind="gsd", inputs={"k": 2})
    access = access_for(w.stat, w.study.pk)
    assert list(design_list(access)) == [b, a]  # newest first
    assert list(design_list(access, kind="gsd")) == [b]
    assert designs_for_comparison(access, [a.pk, b.pk, a.pk]) == [a, b]
    assert design_adopted(access) is None
    design_adopt(actor=w.stat, design=a, protocol_version=w.draft, password=PASSWORD)
    assert design_adopted(access) == a
    assert list(design_list(access, status="draft")) == [b]


def test_protocol_versions_of_the_study(design_world):
    w = design_world
    access = access_for(w.stat, w.study.pk)
    assert list(protocol_versions_draft(access)) == [w.draft]
    assert protocol_version_get(access, w.approved.pk) == w.approved
    assert protocol_version_get(access, w.other_draft.pk) is None
