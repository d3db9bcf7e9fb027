"""The regulatory calendar: what falls due in the coming days (clock ends, answers, commitments, planned
submissions, expiring approvals), overdue first, then by month. Needs `regulatory.view`; the reader's scope."""

import datetime as dt
from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from opencro.regulatory import forms, selectors
from opencro.regulatory.views._common import reader

DEFAULT_DAYS = 90


def calendar_window(days: int | None) -> tuple[dt.date, dt.date]:
    """From today (the reader's; each item is overdue by its country's calendar) to `days` ahead."""
    since = timezone.localdate()
    return since, since + dt.timedelta(days=days or DEFAULT_DAYS)


@login_required
@require_GET
def calendar_page(request: HttpRequest, study_id: int) -> HttpResponse:
    access = reader(request, study_id)
    form = forms.CalendarForm(request.GET or None)
    days = form.cleaned_data.get("days") if form.is_valid() else None
    since, until = calendar_window(days)
    items = selectors.regulatory_calendar(access, since=since, until=until)
    upcoming = [i for i in items if not i.overdue]
    context = {
        "study": access.membership.study,
        "form": form,
        "since": since,
        "until": until,
        "days": days or DEFAULT_DAYS,
        "overdue": [i for i in items if i.overdue],
        "months": [(month, list(group)) for month, group in groupby(upcoming, key=lambda i: i.on.replace(day=1))],
    }
    return render(request, "regulatory/calendar.html", context)
