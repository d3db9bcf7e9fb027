"""The JSON API under /api/v1/: one NinjaAPI, a router per app, OpenAPI at /api/v1/openapi.json."""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import ProtectedError
from django.http import Http404
from ninja import NinjaAPI
from ninja.security import django_auth

from opencro.api.auth import BearerToken
from opencro.api.parser import StorableTextParser
from opencro.formats.errors import FormatError

api = NinjaAPI(
    title="OpenCRO API",
    version="1",
    description="Studies, sites, subjects, audit trail and signatures. Authenticate with "
    "`Authorization: Bearer <token>` (create one with `opencro token create USER`) or a browser session.",
    auth=[BearerToken(), django_auth],
    parser=StorableTextParser(),
    urls_namespace="api",
)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)


@api.exception_handler(ObjectDoesNotExist)
@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "Not found"}, status=404)


@api.exception_handler(OverflowError)
def _id_out_of_range(request, exc):
    """An id too large for SQLite's 64-bit INTEGER names no row (PostgreSQL simply finds none)."""
    return api.create_response(request, {"detail": "Not found"}, status=404)


@api.exception_handler(ProtectedError)
def _in_use(request, exc):
    used_by = sorted({obj._meta.verbose_name for obj in exc.protected_objects})
    detail = "Still referenced by: " + ", ".join(str(name) for name in used_by)
    return api.create_response(request, {"detail": detail}, status=409)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": "Invalid input", "errors": errors}, status=422)


@api.exception_handler(FormatError)
def _rejected_file(request, exc):
    problems = [{"location": p.location, "message": p.message} for p in exc.problems]
    return api.create_response(
        request, {"detail": "File rejected; nothing was written", "problems": problems}, status=422
    )


def _register() -> None:
    from opencro.accounts.api import router as team_router
    from opencro.analysis.api import router as analysis_router
    from opencro.audit.api import router as audit_router
    from opencro.closeout.api import router as closeout_router
    from opencro.coding.api import router as coding_router
    from opencro.design.api import router as design_router
    from opencro.documents.api import router as documents_router
    from opencro.edc.api import router as edc_router
    from opencro.edc.exports_api import router as edc_exports_router
    from opencro.edc.oversight_api import router as oversight_router
    from opencro.followup.api import router as followup_router
    from opencro.jobs.api import router as jobs_router
    from opencro.monitoring.api import router as deviations_router
    from opencro.monitoring.issues.api import router as issues_router
    from opencro.monitoring.kris.api import router as kris_router
    from opencro.monitoring.oversight.api import router as oversight_dashboard_router
    from opencro.monitoring.visits.api import router as visits_router
    from opencro.notices.api import router as notices_router
    from opencro.partnership.api import router as partnership_router
    from opencro.payments.api import router as payments_router
    from opencro.recruitment.api import router as recruitment_router
    from opencro.regulatory.api import router as regulatory_router
    from opencro.regulatory.registry.api import router as registry_router
    from opencro.rtsm.api.randomisation import router as rtsm_randomisation_router
    from opencro.rtsm.api.scheme import router as rtsm_scheme_router
    from opencro.rtsm.api.supply import router as rtsm_supply_router
    from opencro.rtsm.api.unblinding import router as rtsm_unblinding_router
    from opencro.safety.api.cases import router as safety_cases_router
    from opencro.safety.api.e2b import router as safety_e2b_router
    from opencro.safety.api.setup import router as safety_setup_router
    from opencro.safety.api.signal_runs import router as safety_signal_runs_router
    from opencro.safety.api.signals import router as safety_signals_router
    from opencro.safety.api.unblinding import router as safety_unblinding_router
    from opencro.sites.api import router as feasibility_router
    from opencro.startup.api import router as startup_router
    from opencro.studies.api import router as studies_router
    from opencro.studies.protocol_api import register as register_protocol_writes
    from opencro.subjects.api import router as subjects_router
    from opencro.subjects.participants_api import router as participants_router

    register_protocol_writes(studies_router)
    api.add_router("/studies", studies_router)
    api.add_router("/studies", subjects_router)
    api.add_router("/studies", participants_router)
    api.add_router("/studies", audit_router)
    api.add_router("/studies", team_router)
    api.add_router("/studies", edc_router)
    api.add_router("/studies", edc_exports_router)
    api.add_router("/studies", coding_router)
    api.add_router("/studies", design_router)
    api.add_router("/studies", deviations_router)
    api.add_router("/studies", oversight_dashboard_router)
    api.add_router("/studies", kris_router)
    api.add_router("/studies", issues_router)
    api.add_router("/studies", visits_router)
    api.add_router("/studies", analysis_router)
    api.add_router("/studies", rtsm_randomisation_router)
    api.add_router("/studies", rtsm_scheme_router)
    api.add_router("/studies", rtsm_supply_router)
    api.add_router("/studies", rtsm_unblinding_router)
    api.add_router("/studies", oversight_router)
    api.add_router("/studies", startup_router)
    api.add_router("/studies", payments_router)
    api.add_router("/studies", closeout_router)
    api.add_router("/studies", feasibility_router)
    api.add_router("/studies", recruitment_router)
    api.add_router("/studies", followup_router)
    api.add_router("/studies", safety_cases_router)
    api.add_router("/studies", safety_setup_router)
    api.add_router("/studies", safety_e2b_router)
    api.add_router("/studies", safety_unblinding_router)
    api.add_router("/studies", safety_signals_router)
    api.add_router("/studies", safety_signal_runs_router)
    api.add_router("/studies", regulatory_router)
    api.add_router("/studies", registry_router)
    api.add_router("/studies", documents_router)
    api.add_router("/jobs", jobs_router)
    api.add_router("/notices", notices_router)
    api.add_router("/partners", partnership_router)


_register()
