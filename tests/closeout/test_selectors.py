"""Reads of the close-out through the reader's access: who signs each step, what a reader restricted to some sites
sees of the gates and facts, the choices a signer is offered."""

import pytest

from opencro.accounts.access import access_for
from opencro.accounts.permissions import RoleCode
from opencro.closeout import selectors
from opencro.closeout.steps import BY_KEY
from tests.closeout import helpers as h

pytestmark = pytest.mark.django_db


def _access(w, role):
    return access_for(w.user(role), w.study.pk)


def test_each_step_names_the_default_roles_that_sign_it(co):
    roles = selectors.signer_roles(co.study.pk)
    assert roles["lplv"] == ["Project manager"]
    assert roles["database_lock"] == ["Data manager"]
    assert roles["unblinding"] == ["Unblinded statistician"]  # the pharmacist sees the arms but does not sign
    assert roles["analysis_package"] == ["Biostatistician (blinded)", "Unblinded statistician"]
    assert roles["csr"] == ["Project manager", "Regulatory specialist", "Sponsor oversight"]
    assert roles["site_closeout"] == ["Project manager", "Sponsor oversight"]
    assert roles["final_payments"] == ["Project manager", "Sponsor oversight"]
    assert roles["tmf_reconciliation"] == ["Project manager", "Regulatory specialist"]
    assert roles["archiving"] == ["Project manager", "Regulatory specialist"]
    assert roles["approval"] == ["Sponsor oversight"]


def test_only_a_study_wide_holder_of_both_permissions_may_sign(co):
    lplv, unblinding = BY_KEY["lplv"], BY_KEY["unblinding"]
    assert selectors.may_sign(_access(co, h.PM), lplv)
    assert not selectors.may_sign(_access(co, h.SPONSOR), lplv)
    assert selectors.may_sign(_access(co, h.STAT), unblinding)
    assert not selectors.may_sign(_access(co, RoleCode.PHARMACIST), unblinding)  # no esign.sign, and site-scoped


def test_a_site_restricted_reader_sees_their_sites_only(co):
    h.participants_finished(co)
    h.sign(co, "lplv", h.PM)
    h.sites_closed(co)
    checklist = selectors.checklist_read(_access(co, h.PM))
    manager = {v.key: v for v in selectors.step_views(_access(co, h.PM), checklist)}
    investigator = {v.key: v for v in selectors.step_views(_access(co, RoleCode.INVESTIGATOR), checklist)}
    archive = {line.key: line for line in manager["archiving"].lines}
    assert [i.text for i in archive["site_archives"].items] == ["A1 · Alpha Hospital", "B1 · Beta Hospital"]
    archive = {line.key: line for line in investigator["archiving"].lines}
    assert [i.text for i in archive["site_archives"].items] == ["A1 · Alpha Hospital"]
    assert archive["site_archives"].detail == "2 sites without their ISF archive."  # the count is the study's
    facts = selectors.facts_seen(checklist.step("site_closeout").facts, _access(co, RoleCode.INVESTIGATOR).site_ids)
    assert [row["site"] for row in facts["sites"]] == ["A1"]
    assert investigator["lplv"].facts == manager["lplv"].facts  # no site rows: the same for both


def test_a_blinded_signer_is_offered_blinded_packages_only(co):
    unblinded = h.package_built(co)
    blinded = h.package_built(co, blinded=True)
    assert list(selectors.package_choices(_access(co, h.STAT))) == [blinded, unblinded]
    assert list(selectors.package_choices(_access(co, RoleCode.BIOSTATISTICIAN))) == [blinded]


def test_report_and_appendix_choices_are_trial_level_documents(co):
    csr = h.csr_approved(co)
    record = h.appendix(co)
    draft = h.draft(co, title="Statistical analysis plan", tag="sap")
    assert list(selectors.csr_choices(co.study.pk)) == [csr]
    appendices = list(selectors.appendix_choices(co.study.pk))
    assert csr in appendices and record in appendices and draft not in appendices


def test_the_sites_keeping_an_isf(co):
    rows = selectors.site_archive_rows(_access(co, h.REG), co.closeout)
    assert [(site.number, kept) for site, kept in rows] == [("A1", None), ("B1", None)]
    h.archives_recorded(co)
    rows = selectors.site_archive_rows(_access(co, RoleCode.STUDY_COORDINATOR), co.closeout)
    assert [(site.number, kept.location) for site, kept in rows] == [("A1", "Alpha Hospital records office")]
