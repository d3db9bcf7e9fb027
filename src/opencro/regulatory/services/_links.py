"""Many-to-many links written with their audit record (Django saves them outside `audited_save`)."""

from collections.abc import Iterable

from django.db import models

from opencro.audit.models import AuditAction
from opencro.audit.services import audit_event, object_type_of


def links_set(*, actor, instance: models.Model, field: str, targets: Iterable[models.Model], reason: str) -> bool:
    """Set `instance.<field>` to `targets`; audit the old and new lists when they differ. True when changed."""
    manager = getattr(instance, field)
    targets = list(targets)
    before = sorted(str(t) for t in manager.all())
    after = sorted(str(t) for t in targets)
    if before == after:
        return False
    manager.set(targets)
    study_id, site_id = instance.audit_scope() if hasattr(instance, "audit_scope") else (None, None)
    audit_event(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type=object_type_of(instance),
        object_id=instance.pk,
        object_repr=str(instance),
        study_id=study_id,
        site_id=site_id,
        changes={field: (", ".join(before) or None, ", ".join(after) or None)},
        reason=reason,
    )
    return True
