"""Sign-in, preferences, user administration (unlock), e-signature pages."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opencro.accounts import services
from opencro.accounts.access import access_study
from opencro.accounts.forms import LoginForm, PreferencesForm, SignForm, UnlockForm
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.accounts.selectors import study_roles, team_members
from opencro.accounts.signatures import signature_apply, signatures_for


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_required
def preferences(request):
    user = request.user
    form = PreferencesForm(request.POST or None, initial={"time_zone": user.time_zone, "language": user.language})
    if request.method == "POST" and form.is_valid():
        services.user_preferences_update(actor=user, **form.cleaned_data)
        messages.success(request, _("Preferences saved."))
        return redirect("accounts:preferences")
    return render(request, "accounts/preferences.html", {"form": form})


def _require_superuser(request) -> None:
    if not request.user.is_superuser:
        raise PermissionDenied(_("System administrators only."))


@login_required
def users(request):
    _require_superuser(request)
    return render(request, "accounts/users.html", {"users": User.objects.order_by("username"), "form": UnlockForm()})


@login_required
@require_POST
def unlock(request, user_id: int):
    _require_superuser(request)
    form = UnlockForm(request.POST)
    target = get_object_or_404(User, pk=user_id)
    if form.is_valid():
        services.user_unlock(actor=request.user, user=target, reason=form.cleaned_data["reason"])
        messages.success(request, _("%(user)s is unlocked.") % {"user": target.username})
    else:
        messages.error(request, _("A reason is required to unlock an account."))
    return redirect("accounts:users")


def signable_get(study_id: int, object_type: str, object_id: str):
    """Find an object of this study that may be signed, or raise 404."""
    from opencro.accounts.signable import SIGNABLE_TYPES

    if object_type not in SIGNABLE_TYPES:
        raise Http404
    app_label, model = object_type.split(".")
    ct = get_object_or_404(ContentType, app_label=app_label, model=model)
    try:
        instance = ct.model_class()._default_manager.filter(pk=object_id).first()
    except (ValueError, ValidationError):  # an id of the wrong form names no object either
        instance = None
    if instance is None or instance.audit_scope()[0] != study_id:
        raise Http404
    return instance


@login_required
def sign(request, study_id: int, object_type: str, object_id: str):
    access_study(request.user, study_id, Perm.SIGN)
    instance = signable_get(study_id, object_type, object_id)
    form = SignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            signature_apply(actor=request.user, instance=instance, **form.cleaned_data)
        except PermissionDenied as exc:
            form.add_error("password", str(exc))
        else:
            messages.success(request, _("Signed."))
            next_url = request.GET.get("next", "")
            if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                return redirect(next_url)
            return redirect("studies:protocol", study_id=study_id)
    return render(
        request,
        "accounts/sign.html",
        {
            "form": form,
            "instance": instance,
            "signatures": signatures_for(instance),
            "study_id": study_id,
        },
    )


@login_required
def team(request, study_id: int):
    """The study's members and the permissions of each role (changes go through the API)."""
    access = access_study(request.user, study_id, Perm.STUDY_MANAGE_ACCESS)
    roles = list(study_roles(access))
    grid = [(perm, [perm.value in role.permissions for role in roles]) for perm in Perm]
    return render(
        request,
        "accounts/team.html",
        {
            "study": access.membership.study,
            "members": team_members(access),
            "roles": roles,
            "grid": grid,
        },
    )
