"""What the matrix's unblinding and notification rows need in the world.

Subject B1-001 is unblinded by an investigator of site B1 (a member the role sweeps do not visit), which
notifies the safety physician: the blinded sweeps then read an unblinded subject's page and record (the B1
variant of the rows). Site A1's subject stays blinded, so the matrix's own unblinding rows take the first-time
path. `{notice}` is a notice of the project manager, who posts the study rows that name no permission
(tests/security/test_csrf.py); it is a 404 for everyone else.
"""

from opencro.accounts import services as accounts
from opencro.accounts.permissions import RoleCode
from opencro.notices.services import notice_send
from opencro.rtsm.services.unblinding import subject_unblind
from tests.conftest import PASSWORD, World, make_user

REASON = "Anaphylaxis: the treating physician needs to know the treatment"


def unblinding_data(w: World) -> None:
    investigator = make_user("investigator-b1")
    accounts.membership_grant(
        actor=w.admin, user=investigator, study=w.study, role_code=RoleCode.INVESTIGATOR, sites=[w.site_b]
    )
    subject_unblind(actor=investigator, subject=w.subject_b, reason=REASON, password=PASSWORD)
    [notice] = notice_send(
        users=[w.users[RoleCode.PROJECT_MANAGER]], study=w.study, kind="test.matrix", title="Matrix", body="A notice"
    )
    w.ids["notice"] = notice.pk
