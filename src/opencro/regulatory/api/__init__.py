"""The regulatory API under /api/v1/studies/{study_id}/regulatory/: submissions (list, plan, change, steps,
questions, commitments, content, clocks), the calendar, ethics committees, site versions, the library, and eCTD
sequences (list, one, build, ZIP)."""

from ninja import Router

from opencro.regulatory.api.ectd import router as ectd_router
from opencro.regulatory.api.reference import router as reference_router
from opencro.regulatory.api.submissions import router as submissions_router

router = Router()
router.add_router("", submissions_router)
router.add_router("", reference_router)
router.add_router("", ectd_router)

__all__ = ["router"]
