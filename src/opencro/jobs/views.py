"""Jobs pages: the list (and a form to start one), a job's page, and its progress partial for HTMX polling."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from opencro.jobs.forms import JobStartForm
from opencro.jobs.selectors import job_get, job_list
from opencro.jobs.services import job_submit

LIST_SIZE = 100


@login_required
def jobs(request):
    form = JobStartForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            job = job_submit(
                actor=request.user, name=form.cleaned_data["name"], params={}, study=form.cleaned_data["study"]
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        else:
            return redirect("jobs:detail", job.pk)
    return render(request, "jobs/list.html", {"jobs": job_list(request.user)[:LIST_SIZE], "form": form})


@login_required
def detail(request, job_id: int):
    return render(request, "jobs/detail.html", {"job": job_get(request.user, job_id)})


@login_required
def progress(request, job_id: int):
    return render(request, "jobs/detail.html#progress", {"job": job_get(request.user, job_id)})
