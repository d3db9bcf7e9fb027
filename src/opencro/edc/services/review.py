"""Data-manager review of a form: mark reviewed, take it back (with a reason); audited.

ICH E6(R3) 4.2 (data review by the sponsor's data management). A data change after review resets
it (`form_save`); a locked form's review state no longer changes.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opencro.accounts.access import access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.services import audited_save
from opencro.edc.models import FormData


def _reviewable(actor: User | None, form: FormData) -> FormData:
    if actor is not None:
        access = access_require(actor, form.study, Perm.DATA_REVIEW)
        if access.site_ids is not None and form.site_id not in access.site_ids:
            raise PermissionDenied(_("This site is outside your membership."))
    form = FormData.objects.select_for_update(of=("self",)).get(pk=form.pk)
    if form.locked:
        raise ValidationError({"form": _("This form is locked.")})
    return form


def form_review(*, actor: User | None, form: FormData) -> FormData:
    """Mark the form reviewed by data management (nothing written when it already is)."""
    with transaction.atomic():
        form = _reviewable(actor, form)
        if not form.reviewed:
            form.reviewed = True
            audited_save(form, actor=actor, reason="data reviewed")
    return form


def form_unreview(*, actor: User | None, form: FormData, reason: str) -> FormData:
    """Take a review back: the form goes back to the review list. A reason is required."""
    with transaction.atomic():
        form = _reviewable(actor, form)
        if not reason.strip():
            raise ValidationError({"reason": _("A reason is required.")})
        if form.reviewed:
            form.reviewed = False
            audited_save(form, actor=actor, reason=reason.strip())
    return form
