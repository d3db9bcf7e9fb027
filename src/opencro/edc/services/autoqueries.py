"""Automatic queries: open one for each rule that fires, close it when the data pass again."""

from django.utils import timezone

from opencro.audit.services import audited_save
from opencro.edc.checks import Firing
from opencro.edc.models import FormData, ItemData, Query, QueryMessage, QueryOrigin, QueryState
from opencro.edc.models.queries import OPEN_STATES, MessageKind

AUTO_ORIGINS = (QueryOrigin.EDIT_CHECK, QueryOrigin.RANGE, QueryOrigin.REQUIRED)
SITE_ROLE = "study_coordinator"


def auto_queries_reconcile(*, form: FormData, firings: list[Firing], actor) -> tuple[list[Query], list[Query]]:
    """Make the form's open automatic queries match `firings`; return (opened, closed).

    The system is the author of automatic queries; the user whose save triggered them is named
    in the reason, so the trail says both what happened and why.
    """
    items = {
        (row.item_def.oid, row.group_repeat): row
        for row in ItemData.objects.filter(form=form).select_related("item_def")
    }
    open_queries = {
        (q.rule_key, q.item_id): q
        for q in Query.objects.filter(form=form, origin__in=AUTO_ORIGINS, state__in=OPEN_STATES)
    }
    # A query closed by a person on the same value (e.g. "confirmed correct") is not raised again.
    settled = {
        (q.rule_key, q.item_id): q.value_at_open
        for q in Query.objects.filter(form=form, origin__in=AUTO_ORIGINS)
        .exclude(state__in=OPEN_STATES)
        .exclude(state=QueryState.CLOSED, closed_by=None)
        .order_by("opened_at", "id")
    }
    who = getattr(actor, "username", "") or "system"
    now = timezone.now()
    opened, seen = [], set()
    for firing in firings:
        item = items.get((firing.item_oid, firing.group_repeat))
        key = (firing.rule_key, item.pk if item else None)
        seen.add(key)
        if key in open_queries:
            continue
        if key in settled and settled[key] == (item.value if item else None):
            continue
        query = audited_save(
            Query(
                study_id=form.study_id,
                site_id=form.site_id,
                subject_id=form.subject_id,
                form=form,
                item=item,
                origin=firing.origin,
                edit_check_id=firing.edit_check_id,
                rule_key=firing.rule_key[:120],
                severity=firing.severity,
                assigned_role=SITE_ROLE,
                text=firing.message,
                value_at_open=item.value if item else None,
                opened_at=now,
            ),
            actor=None,
            reason=f"automatic check on save by {who}",
        )
        audited_save(
            QueryMessage(query=query, kind=MessageKind.OPEN, text=firing.message, created_at=now),
            actor=None,
            reason=f"automatic check on save by {who}",
        )
        opened.append(query)
    closed = []
    for key, query in open_queries.items():
        if key in seen:
            continue
        query.state, query.closed_at = QueryState.CLOSED, now
        audited_save(query, actor=None, reason=f"data corrected by {who}; the check passes")
        audited_save(
            QueryMessage(
                query=query,
                kind=MessageKind.CLOSE,
                text="Closed automatically: the data now pass the check.",
                created_at=now,
            ),
            actor=None,
            reason=f"data corrected by {who}",
        )
        closed.append(query)
    return opened, closed
