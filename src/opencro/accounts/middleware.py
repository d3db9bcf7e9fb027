"""Idle session timeout and per-user time zone and language."""

import time
import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

SESSION_KEY = "opencro_last_activity"
POLL_HEADER = "X-OpenCRO-Poll"  # set by pages that refresh themselves, e.g. a job's progress


class IdleTimeoutMiddleware:
    """Log out a session idle longer than OPENCRO_SESSION_IDLE_MINUTES (21 CFR 11.300).

    The last activity is stamped at most every OPENCRO_SESSION_STAMP_SECONDS (30), not on every request (the stamp is
    a write of the session): a session may so end up to that much earlier than the limit, never later."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            last = request.session.get(SESSION_KEY)
            limit = settings.OPENCRO_SESSION_IDLE_MINUTES * 60
            if last is not None and now - last > limit:
                logout(request)
                messages.info(
                    request,
                    _("Your session ended after %(minutes)d idle minutes; please sign in again.")
                    % {"minutes": settings.OPENCRO_SESSION_IDLE_MINUTES},
                )
                if request.path.startswith("/api/"):
                    return self.get_response(request)  # now anonymous: the API answers 401
                login = redirect_to_login(request.get_full_path())
                if request.headers.get("HX-Request"):  # an HTMX swap: send the whole page to sign-in
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = login["Location"]
                    return response
                return login
            polled = request.headers.get(POLL_HEADER) == "1"  # background polling is not user activity
            if not polled and (last is None or now - last >= settings.OPENCRO_SESSION_STAMP_SECONDS):
                request.session[SESSION_KEY] = now
        return self.get_response(request)


class UserPreferencesMiddleware:
    """Show pages in the signed-in user's time zone and chosen language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = None
        if user is not None and user.is_authenticated:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
            language = user.language or None
            if language:
                request.LANGUAGE_CODE = language
        else:
            timezone.deactivate()
        try:
            # override() puts back the language the thread had: a worker thread must not carry one user's language
            # into work done outside a request (audit reasons, notices) nor into the next request
            if not language:
                return self.get_response(request)
            with translation.override(language):
                response = self.get_response(request)
            response.headers.setdefault("Content-Language", language)  # LocaleMiddleware would name its own
            return response
        finally:
            timezone.deactivate()  # nor one user's zone
