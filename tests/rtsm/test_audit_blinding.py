"""The trail hides what would rebuild the list (seed, block sizes, list hash) and kit types from blinded readers."""

import pytest

from opencro.accounts.access import access_for
from opencro.accounts.permissions import RoleCode
from opencro.audit.models import AuditRecord
from opencro.audit.selectors import audit_for_study
from tests.rtsm.factories import block_scheme

pytestmark = pytest.mark.django_db
SECRET_FIELDS = {"seed", "block_sizes", "list_sha256"}


def _fields(world, role) -> set[str]:
    access = access_for(world.user(role), world.study.pk)
    return set(audit_for_study(access, object_type="rtsm.randomisationscheme").values_list("field", flat=True))


def test_blinded_readers_see_the_scheme_trail_without_its_secrets(world):
    scheme = block_scheme(world, sizes=(4, 6), seed=987654321987)
    written = set(AuditRecord.objects.filter(object_type="rtsm.randomisationscheme").values_list("field", flat=True))
    assert written >= SECRET_FIELDS  # audited ...
    blinded = _fields(world, RoleCode.AUDITOR)
    assert {"method", "status", "slots"} <= blinded and not SECRET_FIELDS & blinded  # ... but not shown
    records = audit_for_study(access_for(world.user(RoleCode.AUDITOR), world.study.pk))
    shown = " ".join(f"{r.old_value} {r.new_value} {r.reason}" for r in records)
    assert scheme.seed not in shown and scheme.list_sha256 not in shown
