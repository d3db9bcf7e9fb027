"""Loading a study build from a file into a new build version, and publishing it."""

import hashlib
import json
from dataclasses import asdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.services import audit_event, audited_save
from opencro.edc.build_rows import build_rows_create
from opencro.edc.expressions import build_expression_problems
from opencro.edc.models import BuildStatus, BuildVersion
from opencro.formats.build import StudyBuild, build_problems
from opencro.formats.errors import FormatError
from opencro.studies.models import Study


def _check(actor: User | None, study: Study) -> None:
    if actor is not None and not actor.is_superuser:
        access_require(actor, study, Perm.BUILD_EDIT)


def build_digest(build: StudyBuild) -> str:
    """SHA-256 of the build's canonical JSON: what the audit trail records as the build's content."""
    canonical = json.dumps(asdict(build), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def build_import(
    *, actor: User | None, study: Study, build: StudyBuild, source_name: str = "", publish: bool = True
) -> BuildVersion:
    """Create the next build version of `study` from `build`; all or nothing.

    Every problem (dangling references, duplicate OIDs, expressions that do not parse or name
    unknown items) is collected and raised together as a FormatError before anything is written.
    """
    _check(actor, study)
    problems = build_problems(build) + build_expression_problems(build)
    if problems:
        raise FormatError(problems)
    if not build.forms:
        raise FormatError(_("The build defines no forms."))
    with transaction.atomic():
        number = (BuildVersion.objects.filter(study=study).aggregate(n=Max("number"))["n"] or 0) + 1
        oid = build.version_oid or f"MDV.{number}"
        notes = list(build.notes)
        if BuildVersion.objects.filter(study=study, oid=oid).exists():
            notes.append(f"version OID {oid} was already used in this study; stored as {oid}.{number}")
            oid = f"{oid}.{number}"
        version = audited_save(
            BuildVersion(
                study=study,
                number=number,
                oid=oid[:100],
                name=(build.version_name or oid)[:200],
                description=build.version_description,
                source_format=build.source_format,
                source_name=source_name[:255],
                odm_study_oid=build.study_oid[:100],
                arms=[asdict(a) for a in build.arms],
                notes=notes,
            ),
            actor=actor,
        )
        visits = {}
        for visit in study.visits.all():
            visits[visit.code] = visit
            visits.setdefault(visit.name, visit)
        build_rows_create(version, build, visits=visits)
        audit_event(
            actor=actor,
            action="update",
            object_type="edc.buildversion",
            object_id=version.pk,
            object_repr=str(version),
            study_id=study.pk,
            changes={"content": (None, build_digest(build))},
            reason=f"build loaded: {len(build.events)} events, {len(build.forms)} forms, {len(build.items)} items, "
            f"{len(build.edit_checks)} edit checks",
        )
        if publish:
            build_publish(actor=actor, version=version, reason="published on import")
    return version


def build_publish(*, actor: User | None, version: BuildVersion, reason: str) -> BuildVersion:
    """Make a draft version the one new casebooks start on; published versions never change."""
    _check(actor, version.study)
    if version.status != BuildStatus.DRAFT:
        raise ValidationError({"status": _("Only a draft build version can be published.")})
    version.status = BuildStatus.PUBLISHED
    version.published_at = timezone.now()
    with transaction.atomic():
        return audited_save(version, actor=actor, reason=reason)


def build_retire(*, actor: User | None, version: BuildVersion, reason: str) -> BuildVersion:
    """Stop a published version from being used for new casebooks (existing ones keep it)."""
    _check(actor, version.study)
    if version.status != BuildStatus.PUBLISHED:
        raise ValidationError({"status": _("Only a published build version can be retired.")})
    version.status = BuildStatus.RETIRED
    with transaction.atomic():
        return audited_save(version, actor=actor, reason=reason)
