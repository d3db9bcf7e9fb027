"""Writes about consent form versions: create, record the ethics approval, approve for use (e-signed), retire.

A version is signable only once approved, and approval needs the ethics committee's approval date
(ICH E6(R3) 2.8.2, 3.7). Approving a version supersedes the approved versions of the same language
and scope, which flags for re-consent every participant whose latest consent was to one of them.
"""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_require
from opencro.accounts.models import SignatureMeaning, User
from opencro.accounts.permissions import Perm
from opencro.audit.models import AuditAction
from opencro.audit.services import audit_event, audited_save, object_type_of
from opencro.edc.esign import signature_record
from opencro.edc.uploads import Upload, upload_check
from opencro.studies.models import Country, Site, Study
from opencro.subjects.guards import reauthenticate
from opencro.subjects.models import ConsentForm, ConsentFormStatus


def _scope_key(form: ConsentForm) -> tuple[frozenset[int], frozenset[int]]:
    return frozenset(form.countries.values_list("pk", flat=True)), frozenset(form.sites.values_list("pk", flat=True))


def scope_label(form: ConsentForm) -> str:
    """Where a version applies, in words: its countries and sites, or every site."""
    parts = [c.code for c in form.countries.order_by("code")] + [s.number for s in form.sites.order_by("number")]
    return ", ".join(parts) or _("all sites")


def consent_form_create(
    *,
    actor: User | None,
    study: Study,
    version: str,
    language: str,
    title: str,
    text: str = "",
    countries: Iterable[Country] = (),
    sites: Iterable[Site] = (),
    document_name: str = "",
    document: bytes | None = None,
    known: StudyAccess | None = None,
) -> ConsentForm:
    """Create a draft version for a language and scope (no countries and no sites: every site)."""
    if actor is not None:
        access_require(actor, study, Perm.STUDY_EDIT, known=known)
    countries, sites = list(countries), list(sites)
    if any(c.study_id != study.pk for c in countries) or any(s.study_id != study.pk for s in sites):
        raise ValidationError({"sites": _("Countries and sites must belong to this study.")})
    form = ConsentForm(study=study, version=version.strip(), language=language.strip().lower(), title=title.strip())
    form.text = text.strip()
    if document:
        try:
            checked = upload_check(Upload(item_oid="", name=document_name or "consent.pdf", content=document))
        except ValueError as exc:
            raise ValidationError({"document": str(exc)}) from None
        if checked.content_type != "application/pdf":
            raise ValidationError({"document": _("Upload the consent form as a PDF.")})
        form.document, form.document_name, form.document_sha256 = document, checked.name, checked.sha256
    if not form.text and not form.document:
        raise ValidationError({"text": _("Give the text of the form or upload it as a PDF.")})
    with transaction.atomic():
        audited_save(form, actor=actor)
        form.countries.set(countries)
        form.sites.set(sites)
        audit_event(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type=object_type_of(form),
            object_id=form.pk,
            object_repr=str(form),
            study_id=study.pk,
            changes={"scope": (None, scope_label(form))},
        )
    return form


def consent_form_ethics_record(
    *,
    actor: User | None,
    form: ConsentForm,
    committee: str,
    approved_on: dt.date,
    known: StudyAccess | None = None,
) -> ConsentForm:
    """Record the ethics committee's approval of a draft version (its name and the approval date)."""
    if actor is not None:
        access_require(actor, form.study_id, Perm.STUDY_EDIT, known=known)
    if form.status != ConsentFormStatus.DRAFT:
        raise ValidationError({"status": _("Only a draft version takes an ethics approval.")})
    if not committee.strip():
        raise ValidationError({"committee": _("Name the ethics committee.")})
    if approved_on > timezone.localdate():
        raise ValidationError({"approved_on": _("The approval date is in the future.")})
    form.ethics_committee, form.ethics_approved_on = committee.strip(), approved_on
    with transaction.atomic():
        return audited_save(form, actor=actor, reason=_("ethics approval recorded"))


def consent_form_approve(
    *, actor: User | None, form: ConsentForm, password: str, known: StudyAccess | None = None
) -> ConsentForm:
    """Approve an ethics-approved draft for use, e-signed; supersede the version(s) it replaces."""
    if actor is not None:
        access_require(actor, form.study_id, Perm.STUDY_EDIT, known=known)
    if form.status != ConsentFormStatus.DRAFT:
        raise ValidationError({"status": _("Only a draft version can be approved.")})
    if form.ethics_approved_on is None:
        raise ValidationError({"ethics_approved_on": _("Record the ethics committee's approval first.")})
    reauthenticate(actor, password)
    with transaction.atomic():
        form = ConsentForm.objects.select_for_update(of=("self",)).order_by().get(pk=form.pk)
        if form.status != ConsentFormStatus.DRAFT:
            raise ValidationError({"status": _("Only a draft version can be approved.")})
        key = _scope_key(form)
        replaced = [
            old
            for old in ConsentForm.objects.filter(
                study_id=form.study_id, language=form.language, status=ConsentFormStatus.APPROVED
            )
            .select_for_update(of=("self",))
            .order_by("pk")
            if _scope_key(old) == key
        ]
        form.status, form.approved_at, form.approved_by = ConsentFormStatus.APPROVED, timezone.now(), actor
        audited_save(form, actor=actor, reason=_("approved for use"))
        if actor is not None:
            signature_record(actor=actor, instance=form, meaning=SignatureMeaning.APPROVE)
        for old in replaced:
            old.status, old.superseded_by = ConsentFormStatus.SUPERSEDED, form
            audited_save(old, actor=actor, reason=_("superseded by %(form)s") % {"form": form})
    return form


def consent_form_retire(
    *, actor: User | None, form: ConsentForm, reason: str, known: StudyAccess | None = None
) -> ConsentForm:
    """Take a draft or approved version out of use without a successor (it can no longer be signed)."""
    if actor is not None:
        access_require(actor, form.study_id, Perm.STUDY_EDIT, known=known)
    if form.status not in (ConsentFormStatus.DRAFT, ConsentFormStatus.APPROVED):
        raise ValidationError({"status": _("This version is already out of use.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for retiring this version.")})
    form.status = ConsentFormStatus.RETIRED
    with transaction.atomic():
        return audited_save(form, actor=actor, reason=reason.strip())
