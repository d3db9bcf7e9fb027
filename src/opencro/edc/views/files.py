"""Download an uploaded file of a file item (site-scoped; served as an attachment with the type we chose)."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

from opencro.accounts.access import access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.edc.selectors import item_file_get


@login_required
def file_download(request, study_id: int, file_id: int):
    access = access_study(request.user, study_id)
    found = item_file_get(access, file_id)
    access_check(access, Perm.DATA_VIEW)
    return file_response(found)


def file_response(found) -> HttpResponse:
    """The file as an attachment: never rendered inline, never sniffed into another type."""
    response = HttpResponse(bytes(found.content), content_type=found.content_type)
    response["Content-Disposition"] = _disposition(found.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _disposition(name: str) -> str:
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
