"""A test URL map: the project's, plus the regulatory and registry pages and the registry API while the project's
own map does not include them yet (the lead wires them in opencro/urls.py and opencro/api/__init__.py)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import Resolver404, include, path, resolve
from ninja import NinjaAPI
from ninja.security import django_auth

from opencro import urls as project
from opencro.formats.errors import FormatError
from opencro.regulatory.registry.api import router


def _namespaces(patterns) -> set[str]:
    return {getattr(p, "namespace", None) for p in patterns} - {None}


def _project_serves(url: str) -> bool:
    try:
        resolve(url, urlconf=project)
    except Resolver404:
        return False
    return True


urlpatterns = []
if not _project_serves("/api/v1/studies/1/registry/ctgov"):  # the project's API lacks it: a test API, tried first
    test_api = NinjaAPI(auth=[django_auth], urls_namespace="registry_test_api", docs_url=None)
    test_api.add_router("/studies", router)

    @test_api.exception_handler(PermissionDenied)
    def _forbidden(request, exc):
        return test_api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)

    @test_api.exception_handler(Http404)
    def _not_found(request, exc):
        return test_api.create_response(request, {"detail": "Not found"}, status=404)

    @test_api.exception_handler(ValidationError)
    def _invalid(request, exc):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return test_api.create_response(request, {"detail": "Invalid input", "errors": errors}, status=422)

    @test_api.exception_handler(FormatError)
    def _rejected(request, exc):
        problems = [{"location": p.location, "message": p.message} for p in exc.problems]
        return test_api.create_response(request, {"detail": "Rejected", "problems": problems}, status=422)

    urlpatterns.append(path("api/v1/", test_api.urls))
urlpatterns += list(project.urlpatterns)
if "regulatory" not in _namespaces(project.urlpatterns):
    urlpatterns.append(path("studies/<int:study_id>/regulatory/", include("opencro.regulatory.urls")))
if "registry" not in _namespaces(project.urlpatterns):
    urlpatterns.append(path("studies/<int:study_id>/registry/", include("opencro.regulatory.registry.urls")))
