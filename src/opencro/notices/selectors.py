"""Reads of notices: everyone reads their own, and only their own (someone else's is a 404)."""

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from opencro.accounts.models import User
from opencro.notices.models import Notice


def notice_list(user: User, *, unread_only: bool = False) -> QuerySet[Notice]:
    """The user's notices, newest first."""
    if not user.is_authenticated:
        return Notice.objects.none()
    qs = Notice.objects.filter(user_id=user.pk).select_related("study")
    return qs.filter(read_at__isnull=True) if unread_only else qs


def notice_get(user: User, notice_id: int) -> Notice:
    """One of the user's notices, else 404 (alike for one that does not exist and someone else's)."""
    try:
        notice = notice_list(user).filter(pk=notice_id).first()
    except OverflowError:  # an id beyond SQLite's 64-bit integers names no notice
        notice = None
    if notice is None:
        raise Http404(_("No such notice."))
    return notice


def notice_unread_count(user: User) -> int:
    if not user.is_authenticated:
        return 0
    return Notice.objects.filter(user_id=user.pk, read_at__isnull=True).count()
