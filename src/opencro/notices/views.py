"""My notifications: the list of the user's own notices, marking one or all of them read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from opencro.notices.selectors import notice_get, notice_list, notice_unread_count
from opencro.notices.services import notice_mark_all_read, notice_mark_read

LIST_SIZE = 200


@login_required
def notices_page(request):
    unread_only = request.GET.get("unread") == "1"
    return render(
        request,
        "notices/list.html",
        {
            "notices": notice_list(request.user, unread_only=unread_only)[:LIST_SIZE],
            "unread_only": unread_only,
            "unread": notice_unread_count(request.user),
        },
    )


@login_required
@require_POST
def notice_read(request, notice_id: int):
    """Mark the notice read; with `open`, go on to the page it points to."""
    notice = notice_mark_read(actor=request.user, notice=notice_get(request.user, notice_id))
    target = notice.url if request.POST.get("open") else ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notices:list")


@login_required
@require_POST
def notices_read_all(request):
    count = notice_mark_all_read(actor=request.user)
    messages.success(request, ngettext("%(n)d notice marked read.", "%(n)d notices marked read.", count) % {"n": count})
    return redirect("notices:list")
