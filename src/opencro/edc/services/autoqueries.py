"""Automatic queries: open one for each rule that fires, close it when the data pass again."""

from dataclasses import dataclass, field

from django.utils import timezone

from opencro.audit.models import AuditAction
from opencro.audit.services import Change, audit_changes, audited_values, object_type_of, serialise_value
from opencro.core.bulk import bulk_update_objects
from opencro.edc.checks import Firing
from opencro.edc.models import FormData, ItemData, Query, QueryMessage, QueryOrigin, QueryState
from opencro.edc.models.queries import OPEN_STATES, MessageKind

AUTO_ORIGINS = (QueryOrigin.EDIT_CHECK, QueryOrigin.RANGE, QueryOrigin.REQUIRED)
SITE_ROLE = "study_coordinator"
QueryKey = tuple[int, str, int | None]  # (form id, rule key, item id)


@dataclass
class AutoQueries:
    """The automatic queries of some forms: the open ones, and values people already settled.

    A query closed by a person on a value (e.g. "confirmed correct") is not raised again while the
    value stays the same; one closed automatically (the data were corrected) is.
    """

    open: dict[QueryKey, Query] = field(default_factory=dict)
    settled: dict[QueryKey, str | None] = field(default_factory=dict)

    @classmethod
    def load(cls, **form_filter) -> "AutoQueries":
        state = cls()
        qs = Query.objects.filter(origin__in=AUTO_ORIGINS, **form_filter).order_by("opened_at", "id")
        for q in qs.only(
            "id", "study_id", "site_id", "form_id", "rule_key", "item_id", "state", "closed_by_id", "value_at_open"
        ):
            key = (q.form_id, q.rule_key, q.item_id)
            if q.state in OPEN_STATES:
                state.open[key] = q
            elif q.state == QueryState.CANCELLED or q.closed_by_id is not None:
                state.settled[key] = q.value_at_open
        return state


ItemRef = tuple[int, str | None]  # (item data id, value)


def auto_queries_reconcile(
    *, form: FormData, firings: list[Firing], actor, items: dict[tuple[str, int], ItemRef] | None = None
) -> tuple[list[Query], list[Query]]:
    """Make the form's open automatic queries match `firings`; return (opened, closed).

    `items` maps (item OID, group row) to the stored row (id, value); read from the form when not given.
    """
    if items is None:
        rows = ItemData.objects.filter(form=form).values_list("item_def__oid", "group_repeat", "pk", "value")
        items = {(oid, repeat): (pk, value) for oid, repeat, pk, value in rows}
    return queries_reconcile(form, firings, items, AutoQueries.load(form=form), actor=actor)


def queries_reconcile(
    form: FormData,
    firings: list[Firing],
    items: dict[tuple[str, int], ItemRef],
    state: AutoQueries,
    *,
    actor,
    writes: "QueryWrites | None" = None,
) -> tuple[list[Query], list[Query]]:
    """Open and close one form's automatic queries against preloaded state (shared with study re-runs).

    The system is the author of automatic queries; the user whose action triggered them is named
    in the reason, so the trail says both what happened and why. Writes are bulk: one insert per
    table and one audit append, however many queries open or close.
    """
    who = getattr(actor, "username", "") or "system"
    reason = f"automatic check run by {who}"
    now = timezone.now()
    opened, seen = [], set()
    for firing in firings:
        item_id, value = items.get((firing.item_oid, firing.group_repeat), (None, None))
        key = (form.pk, firing.rule_key[:120], item_id)
        seen.add(key)
        if key in state.open or (key in state.settled and state.settled[key] == value):
            continue
        query = Query(
            study_id=form.study_id,
            site_id=form.site_id,
            subject_id=form.subject_id,
            form=form,
            item_id=item_id,
            origin=firing.origin,
            edit_check_id=firing.edit_check_id,
            rule_key=firing.rule_key[:120],
            severity=firing.severity,
            assigned_role=SITE_ROLE,
            text=firing.message,
            value_at_open=value,
            opened_at=now,
        )
        state.open[key] = query
        opened.append(query)
    closed = [q for key, q in state.open.items() if key[0] == form.pk and key not in seen]
    for query in closed:
        del state.open[(form.pk, query.rule_key, query.item_id)]
    batch = writes if writes is not None else QueryWrites(reason)
    batch.opened += opened
    batch.closed += closed
    if writes is None:
        batch.flush()
    return opened, closed


@dataclass
class QueryWrites:
    """Queries to open and close, written together: a study re-run flushes once per batch of subjects."""

    reason: str
    opened: list[Query] = field(default_factory=list)
    closed: list[Query] = field(default_factory=list)

    def flush(self) -> None:
        if self.opened or self.closed:
            _write(self.opened, self.closed, timezone.now(), self.reason)
        self.opened, self.closed = [], []


def _write(opened: list[Query], closed: list[Query], now, reason: str) -> None:
    changes: list[Change] = []
    Query.objects.bulk_create(opened)
    for query in closed:
        changes += [
            _change(query, "state", query.state, QueryState.CLOSED),
            _change(query, "closed_at", None, serialise_value(now)),
        ]
        query.state, query.closed_at = QueryState.CLOSED, now
    bulk_update_objects(closed, ["state", "closed_at"])
    messages = [QueryMessage(query=q, kind=MessageKind.OPEN, text=q.text, created_at=now) for q in opened]
    messages += [
        QueryMessage(
            query=q, kind=MessageKind.CLOSE, text="Closed automatically: the data now pass the check.", created_at=now
        )
        for q in closed
    ]
    QueryMessage.objects.bulk_create(messages)
    for obj in [*opened, *messages]:
        changes += [
            _change(obj, name, None, value, AuditAction.CREATE)
            for name, value in audited_values(obj).items()
            if value is not None
        ]
    audit_changes(actor=None, changes=changes, reason=reason)


def _change(obj, name: str, old, new, action: str = AuditAction.UPDATE) -> Change:
    study_id, site_id = obj.audit_scope()
    return Change(object_type_of(obj), obj.pk, str(obj), study_id, site_id, name, old, new, action)
