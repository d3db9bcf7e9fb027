"""Regulatory background jobs, named in `settings.OPENCRO_JOBS`: building the study's next eCTD sequence; sending
today's reminders of ethics approvals that expire."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opencro.accounts.access import StudyAccess
from opencro.accounts.permissions import Perm
from opencro.jobs.context import JobContext
from opencro.jobs.definitions import JobDefinition, JobError

if TYPE_CHECKING:
    from opencro.accounts.models import User
    from opencro.analysis.models import SubmissionPackage
    from opencro.regulatory.models import Submission
    from opencro.studies.models import Study

ECTD_BUILD_JOB = "regulatory.ectd_build"


def ectd_inputs(
    access: StudyAccess | None, study: Study, *, submission: int | None = None, package: int | None = None
) -> tuple[Submission | None, SubmissionPackage | None]:
    """The submission and the built package a build names (the package: by number, else the latest done one);
    refuse what the service would: a submission of another study, an unblinded package for a blinded builder.
    `access` None is the system."""
    from opencro.analysis.models import PackageStatus, SubmissionPackage
    from opencro.regulatory.ectd import latest_package
    from opencro.regulatory.models import Submission

    submission, package = _number(submission, "submission"), _number(package, "package")
    chosen_submission = None
    if submission is not None:
        chosen_submission = Submission.objects.filter(pk=submission).first()
        if chosen_submission is None:
            raise ValidationError({"submission": _("There is no such submission.")})
        if chosen_submission.study_id != study.pk:
            raise ValidationError({"submission": _("The submission belongs to another study.")})
    if package is None:
        chosen_package = latest_package(study)
    else:
        chosen_package = SubmissionPackage.objects.filter(
            study=study, number=package, status=PackageStatus.DONE
        ).first()
        if chosen_package is None:
            raise ValidationError({"package": _("The study has no built package %(n)s.") % {"n": package}})
    if chosen_package is not None and not chosen_package.blinded and access is not None and not access.sees_treatment:
        raise ValidationError(
            {"package": _("The package holds treatment assignments: building from it needs unblinded access.")}
        )
    return chosen_submission, chosen_package


def _number(value: Any, field: str) -> int | None:
    """A parameter that names a record by number: None, or a positive integer."""
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1 or number > 2**31:
        raise ValidationError({field: _("Give a positive whole number.")})
    return number


def ectd_build_check(actor: User | None, study: Study | None, params: dict[str, Any]) -> None:
    """At submission (the eCTD page and API both submit through here): `regulatory.edit` on every site, inputs the
    service accepts and what the US regional backbone needs (IND number, applicant DUNS number and company), all
    refused now with every error, not when the job runs."""
    from opencro.regulatory.ectd import Applicant, ectd_regional_require
    from opencro.regulatory.services._access import regulatory_require

    if study is None:
        raise ValidationError({"study": _("Choose the study whose sequence to build.")})
    access = regulatory_require(actor, study)
    errors: dict[str, list[ValidationError]] = {}
    try:
        ectd_inputs(access, study, submission=params.get("submission"), package=params.get("package"))
    except ValidationError as exc:
        exc.update_error_dict(errors)
    try:
        ectd_regional_require(study, Applicant.configured(study))
    except ValidationError as exc:
        exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def build_ectd_sequence(
    ctx: JobContext, description: str = "", submission: int | None = None, package: int | None = None
) -> dict:
    """Build the study's next eCTD sequence into its application folder, reporting each step as progress."""
    from opencro.formats.errors import FormatError
    from opencro.regulatory.ectd import Applicant, ectd_sequence_build
    from opencro.regulatory.services._access import regulatory_require

    study = ctx.study
    if study is None:
        raise JobError(_("Choose the study whose sequence to build."))
    try:
        access = regulatory_require(ctx.user, study)
        chosen_submission, chosen_package = ectd_inputs(access, study, submission=submission, package=package)
        record = ectd_sequence_build(
            actor=ctx.user,
            study=study,
            applicant=Applicant.configured(study),
            submission=chosen_submission,
            package=chosen_package,
            description=description,
            on_step=lambda what, done, total: ctx.progress(done, total, what),
        )
    except ValidationError as exc:
        raise JobError(" ".join(exc.messages)) from None
    except PermissionDenied as exc:
        raise JobError(str(exc)) from None
    except FormatError as exc:
        raise JobError(_("The sequence was not written: %(problems)s") % {"problems": exc}) from None
    return {
        "sequence": record.sequence,
        "leaves": record.leaves,
        "problems": len(record.problems),
        "page": reverse("regulatory:ectd_sequence", args=[study.pk, record.sequence]),
        "download": reverse("regulatory:ectd_download", args=[study.pk, record.sequence]),
    }


ECTD_BUILD = JobDefinition(
    run=build_ectd_sequence,
    label=gettext_lazy("Build the next eCTD sequence"),
    permission=Perm.REGULATORY_EDIT,
    check=ectd_build_check,
)


def ethics_reminders_check(actor: User | None, study: Study | None, params: dict[str, Any]) -> None:
    """At submission: `regulatory.edit` on every site of the study (without a study: the system or a superuser, whom
    the jobs service has let through already)."""
    from opencro.regulatory.services._access import regulatory_require

    if study is not None:
        regulatory_require(actor, study)


def send_ethics_reminders(ctx: JobContext) -> dict:
    """Send today's reminders of ethics approvals that expire or have expired: of the job's study, else of every
    study; each reminder once, so a daily run catches up a missed day and a second run sends nothing."""
    from django.utils import timezone

    from opencro.regulatory.services.reminders import ethics_reminders_send

    ctx.progress(0, None, _("Finding the ethics approvals that expire"))
    sent = ethics_reminders_send(on=timezone.localdate(), study=ctx.study)
    ctx.progress(len(sent), len(sent), _("Reminders sent"))
    return {
        "reminders": len(sent),
        "sent": [
            {
                "submission": r.submission,
                "study": r.study,
                "threshold_days": r.threshold_days,
                "recipients": len(r.recipients),
            }
            for r in sent
        ],
    }


ETHICS_REMINDERS = JobDefinition(
    run=send_ethics_reminders,
    label=gettext_lazy("Send today's ethics approval expiry reminders"),
    permission=Perm.REGULATORY_EDIT,
    check=ethics_reminders_check,
)
