"""Notices API: the signed-in user's own notices, and marking them read."""

import datetime as dt

from ninja import Router, Schema
from ninja.pagination import paginate

from opencro.api.pagination import LimitOffset
from opencro.notices.selectors import notice_get, notice_list
from opencro.notices.services import notice_mark_all_read, notice_mark_read

router = Router(tags=["notices"])


class NoticeOut(Schema):
    id: int
    study_id: int | None
    kind: str
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class MarkedOut(Schema):
    marked: int


@router.get("", response=list[NoticeOut], summary="Your notices, newest first")
@paginate(LimitOffset)
def list_notices(request, unread: bool = False):
    return notice_list(request.user, unread_only=unread)


@router.post("/read-all", response=MarkedOut, summary="Mark all your notices read")
def read_all_notices(request):
    return MarkedOut(marked=notice_mark_all_read(actor=request.user))


@router.post("/{notice_id}/read", response=NoticeOut, summary="Mark one of your notices read")
def read_notice(request, notice_id: int):
    return notice_mark_read(actor=request.user, notice=notice_get(request.user, notice_id))
