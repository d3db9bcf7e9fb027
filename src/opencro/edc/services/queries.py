"""The query workflow people drive: raise, answer, re-open, close, cancel (threaded, audited)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.services import audited_save
from opencro.edc.models import FormData, ItemData, Query, QueryMessage, QueryOrigin, QueryState
from opencro.edc.models.queries import MessageKind

ASSIGNABLE = ("study_coordinator", "investigator", "monitor", "data_manager", "medical_coder")


def _check(actor: User, query_or_form, perm: str) -> None:
    access = access_require(actor, query_or_form.study, perm)
    if access.site_ids is not None and query_or_form.site_id not in access.site_ids:
        raise PermissionDenied(_("This site is outside your membership."))


def _open_form(query: Query) -> None:
    """A locked form changes no more: its queries are settled as they stand (freeze still allows them)."""
    if query.form.locked:
        raise ValidationError({"form": _("This form is locked.")})


def _say(query: Query, actor: User, kind: str, text: str) -> None:
    audited_save(QueryMessage(query=query, kind=kind, text=text, author=actor, created_at=timezone.now()), actor=actor)


def query_open(
    *,
    actor: User,
    form: FormData,
    text: str,
    item: ItemData | None = None,
    assigned_role: str = "study_coordinator",
) -> Query:
    """Raise a manual query on a form or one of its items (monitors and data managers)."""
    _check(actor, form, Perm.DATA_REVIEW)
    if not text.strip():
        raise ValidationError({"text": _("Say what the query is about.")})
    if item is not None and item.form_id != form.pk:
        raise ValidationError({"item": _("The item is not on this form.")})
    if assigned_role not in ASSIGNABLE:
        raise ValidationError({"assigned_role": _("Queries are assigned to the site, a monitor or data management.")})
    if form.locked:
        raise ValidationError({"form": _("This form is locked.")})
    with transaction.atomic():
        query = audited_save(
            Query(
                study_id=form.study_id,
                site_id=form.site_id,
                subject_id=form.subject_id,
                form=form,
                item=item,
                origin=QueryOrigin.MANUAL,
                assigned_role=assigned_role,
                text=text.strip(),
                value_at_open=item.value if item else None,
                opened_by=actor,
                opened_at=timezone.now(),
            ),
            actor=actor,
        )
        _say(query, actor, MessageKind.OPEN, text.strip())
    return query


def query_answer(*, actor: User, query: Query, text: str) -> Query:
    """The site's response: the data were corrected, or are confirmed as they are."""
    _check(actor, query, Perm.DATA_ENTER)
    if query.state != QueryState.OPEN:
        raise ValidationError({"state": _("Only an open query can be answered.")})
    if not text.strip():
        raise ValidationError({"text": _("An answer needs text.")})
    _open_form(query)
    with transaction.atomic():
        query.state, query.answered_at = QueryState.ANSWERED, timezone.now()
        audited_save(query, actor=actor, reason="query answered")
        _say(query, actor, MessageKind.ANSWER, text.strip())
    return query


def query_close(*, actor: User, query: Query, text: str = "") -> Query:
    """Accept the answer (or the data as they stand) and close the query."""
    _check(actor, query, Perm.DATA_REVIEW)
    if query.state not in (QueryState.OPEN, QueryState.ANSWERED):
        raise ValidationError({"state": _("This query is already closed.")})
    _open_form(query)
    with transaction.atomic():
        query.state, query.closed_at, query.closed_by = QueryState.CLOSED, timezone.now(), actor
        audited_save(query, actor=actor, reason="query closed")
        _say(query, actor, MessageKind.CLOSE, text.strip())
    return query


def query_reopen(*, actor: User, query: Query, text: str) -> Query:
    """Send an answer back to the site: it did not resolve the question."""
    _check(actor, query, Perm.DATA_REVIEW)
    if query.state != QueryState.ANSWERED:
        raise ValidationError({"state": _("Only an answered query can be re-opened.")})
    if not text.strip():
        raise ValidationError({"text": _("Say why the answer does not resolve the query.")})
    _open_form(query)
    with transaction.atomic():
        query.state = QueryState.OPEN
        audited_save(query, actor=actor, reason="answer not accepted")
        _say(query, actor, MessageKind.REOPEN, text.strip())
    return query


def query_cancel(*, actor: User, query: Query, text: str) -> Query:
    """Withdraw a query raised in error."""
    _check(actor, query, Perm.DATA_REVIEW)
    if query.state not in (QueryState.OPEN, QueryState.ANSWERED):
        raise ValidationError({"state": _("This query is already closed.")})
    if not text.strip():
        raise ValidationError({"text": _("Say why the query is cancelled.")})
    _open_form(query)
    with transaction.atomic():
        query.state, query.closed_at, query.closed_by = QueryState.CANCELLED, timezone.now(), actor
        audited_save(query, actor=actor, reason="query cancelled")
        _say(query, actor, MessageKind.CANCEL, text.strip())
    return query
