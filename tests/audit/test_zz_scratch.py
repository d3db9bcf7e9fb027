import time
import pytest
from opencro.audit.services import audit_event
from tests.audit.conftest import grant_audit_view

@pytest.mark.django_db
def test_scratch(world, login):
    for i in range(100):
        audit_event(actor=world.admin, action="update", object_type="subjects.subject", object_id=world.subject_a.pk,
                    object_repr="A1-001 東京", study_id=world.study.pk, site_id=world.site_a.pk,
                    changes={f"f{j}": ("old " * 5, "新しい値 é " * 8 + "x"*90) for j in range(20)}, reason="typo\nfix")
    c = login(world.user("data_manager"))
    r = c.get(f"/studies/{world.study.pk}/audit/")
    assert r.status_code == 200, r.content[:3000]
    t = time.time()
    r = c.get(f"/studies/{world.study.pk}/audit/export.pdf")
    data = b"".join(r.streaming_content)
    print("pdf", time.time() - t, len(data))
    open("/tmp/probe/out.pdf", "wb").write(data)
    t = time.time()
    r = c.get(f"/studies/{world.study.pk}/audit/export.csv?action=update")
    data = b"".join(r.streaming_content)
    print("csv", time.time() - t, len(data), r.headers)
    print(data[:600].decode())
