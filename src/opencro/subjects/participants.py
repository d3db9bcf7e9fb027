"""Reads of the participant workflow: consent status and re-consent due, checklists, forms, pre-screening.

Every function takes a `StudyAccess` (or objects already read through one) and stays inside its sites.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess
from opencro.studies.models import EligibilityCriterion, Site
from opencro.subjects.criteria import SubjectFacts, criterion_compute
from opencro.subjects.models import (
    ConsentForm,
    ConsentFormStatus,
    ConsentRecord,
    ConsentWithdrawal,
    EligibilityReview,
    PrescreeningEntry,
    Subject,
)


@dataclass(frozen=True)
class ConsentStatus:
    """A subject's latest consent and, when a newer approved version replaced it, the version now due."""

    latest: ConsentRecord | None
    due: ConsentForm | None

    @property
    def reconsent_due(self) -> bool:
        return self.due is not None


def current_version(form: ConsentForm) -> ConsentForm | None:
    """Follow `superseded_by` to the approved version that replaced `form` (None if the chain ends unapproved)."""
    seen = set()
    while form.status == ConsentFormStatus.SUPERSEDED and form.superseded_by_id and form.pk not in seen:
        seen.add(form.pk)
        form = form.superseded_by
    return form if form.status == ConsentFormStatus.APPROVED else None


def consent_statuses(subjects) -> dict[int, ConsentStatus]:
    """{subject id: ConsentStatus} for the given subjects (re-consent due only for active participants)."""
    ids = [s.pk for s in subjects]
    active = {s.pk for s in subjects if s.status in ("screening", "enrolled")}
    latest: dict[int, ConsentRecord] = {}
    for record in ConsentRecord.objects.filter(subject_id__in=ids).select_related("form").order_by("obtained_at", "id"):
        latest[record.subject_id] = record
    result = {}
    replaced: dict[int, ConsentForm | None] = {}  # form id -> the version now due: one walk per form, not per subject
    for pk in ids:
        record = latest.get(pk)
        due = None
        if record is not None and pk in active and record.form.status == ConsentFormStatus.SUPERSEDED:
            if record.form_id not in replaced:
                replaced[record.form_id] = current_version(record.form)
            due = replaced[record.form_id]
        result[pk] = ConsentStatus(record, due)
    return result


def reconsent_counts(access: StudyAccess) -> dict[str, int]:
    """{site number: participants with re-consent due}, for the user's sites (zero counts left out)."""
    subjects = list(
        Subject.objects.filter(study_id=access.membership.study_id, status__in=("screening", "enrolled"))
        .filter(access.site_filter())
        .select_related("site")
    )
    statuses = consent_statuses(subjects)
    return dict(sorted(Counter(s.site.number for s in subjects if statuses[s.pk].reconsent_due).items()))


def eligibility_outcomes(subjects) -> dict[int, str]:
    """{subject id: outcome} of the subjects that have a checklist."""
    rows = EligibilityReview.objects.filter(subject_id__in=[s.pk for s in subjects]).values_list(
        "subject_id", "outcome"
    )
    return dict(rows)


@dataclass
class ChecklistRow:
    criterion: EligibilityCriterion
    computed: str
    note: str
    assessed: str = ""
    comment: str = ""


@dataclass
class Checklist:
    review: EligibilityReview | None
    rows: list[ChecklistRow] = field(default_factory=list)


def eligibility_checklist(subject: Subject) -> Checklist:
    """The protocol's criteria for a subject: computed now from the entered data, and as assessed."""
    review = EligibilityReview.objects.filter(subject=subject).first()
    assessed = {a.criterion_id: a for a in review.assessments.all()} if review else {}
    facts = SubjectFacts(subject)
    rows = []
    for criterion in EligibilityCriterion.objects.filter(study_id=subject.study_id).order_by("-kind", "number"):
        done = assessed.get(criterion.pk)
        computed = criterion_compute(criterion, facts)
        rows.append(
            ChecklistRow(
                criterion,
                computed.result,
                computed.note,
                done.assessed if done else "",
                done.comment if done else "",
            )
        )
    return Checklist(review, rows)


def consent_history(subject: Subject) -> list[ConsentRecord]:
    return list(subject.consents.select_related("form", "obtained_by").order_by("obtained_at", "id"))


def withdrawals_of(subject: Subject) -> list[ConsentWithdrawal]:
    return list(ConsentWithdrawal.objects.filter(subject=subject).select_related("recorded_by"))


def _forms_for_sites(access: StudyAccess) -> Q:
    if access.site_ids is None:
        return Q()
    countries = Site.objects.filter(pk__in=access.site_ids).values_list("country_id", flat=True)
    return Q(sites__isnull=True, countries__isnull=True) | Q(sites__in=access.site_ids) | Q(countries__in=countries)


def consent_form_list(access: StudyAccess) -> QuerySet[ConsentForm]:
    """The study's consent form versions; site-restricted users see those that apply to their sites."""
    qs = ConsentForm.objects.filter(study_id=access.membership.study_id).filter(_forms_for_sites(access))
    return qs.distinct().prefetch_related("countries", "sites").order_by("language", "-id")


def consent_form_get(access: StudyAccess, form_id: int) -> ConsentForm:
    form = consent_form_list(access).filter(pk=form_id).first()
    if form is None:
        raise Http404(_("No such consent form."))
    return form


def consent_forms_signable(access: StudyAccess, site: Site) -> list[ConsentForm]:
    """Approved versions that apply to `site` (what can be signed there)."""
    from opencro.subjects.consent import form_applies

    forms = consent_form_list(access).filter(status=ConsentFormStatus.APPROVED)
    return [f for f in forms if form_applies(f, site)]


def site_list_for(access: StudyAccess) -> list[Site]:
    return list(Site.objects.filter(study_id=access.membership.study_id).filter(access.site_filter("pk")))


def site_get(access: StudyAccess, site_id: int) -> Site:
    site = Site.objects.filter(study_id=access.membership.study_id, pk=site_id).filter(access.site_filter("pk")).first()
    if site is None:
        raise Http404(_("No such site."))
    return site


def prescreening_list(access: StudyAccess) -> QuerySet[PrescreeningEntry]:
    qs = PrescreeningEntry.objects.filter(study_id=access.membership.study_id).filter(access.site_filter())
    return qs.select_related("site").order_by("site__number", "-logged_on", "-id")


def prescreening_counts(access: StudyAccess) -> dict[str, dict[str, int]]:
    """{site number: {outcome: count, "total": count}} over the user's sites."""
    counts: dict[str, dict[str, int]] = {}
    for site_number, outcome in prescreening_list(access).values_list("site__number", "outcome"):
        row = counts.setdefault(site_number, {"total": 0})
        row[outcome] = row.get(outcome, 0) + 1
        row["total"] += 1
    return counts
