"""Reads about randomisations: blinded-safe records for everyone, the arm only for unblinded roles."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from opencro.accounts.access import StudyAccess
from opencro.accounts.permissions import Perm
from opencro.rtsm.factors import ResolvedFactor, scheme_factors
from opencro.rtsm.models import FactorSource, Randomisation, RandomisationScheme, SchemeStatus
from opencro.studies.models import EligibilityCriterion
from opencro.subjects.models import Subject, SubjectStatus, TreatmentAssignment


def scheme_for(study_id: int) -> RandomisationScheme | None:
    return RandomisationScheme.objects.filter(study_id=study_id).first()


def randomisation_list(access: StudyAccess) -> QuerySet[Randomisation]:
    """The study's randomisations at the reader's sites, in allocation order."""
    qs = Randomisation.objects.filter(subject__study_id=access.membership.study_id)
    return qs.filter(access.site_filter("subject__site_id")).select_related("subject__site", "stratum", "randomised_by")


def arm_codes(access: StudyAccess, subject_ids: list[int]) -> dict[int, str]:
    """{subject id: arm code} for unblinded readers; empty for blinded ones."""
    if not access.sees_treatment:
        return {}
    rows = TreatmentAssignment.objects.filter(subject_id__in=subject_ids).values_list("subject_id", "arm__code")
    return dict(rows)


@dataclass(frozen=True)
class RandomisePanel:
    """What a casebook shows about randomisation: the record, or whether and how the reader may randomise."""

    scheme: RandomisationScheme | None
    randomisation: Randomisation | None
    arm: str | None  # unblinded readers only
    can_randomise: bool
    reason: str  # why randomising is not offered (empty when it is)


def randomise_panel(access: StudyAccess, subject: Subject) -> RandomisePanel:
    from django.utils.translation import gettext as _

    scheme = scheme_for(subject.study_id)
    record = Randomisation.objects.filter(subject=subject).select_related("stratum", "randomised_by").first()
    arm = None
    if record is not None and access.sees_treatment:
        arm = TreatmentAssignment.objects.filter(subject=subject).values_list("arm__name", flat=True).first()
    reason = ""
    if record is not None or TreatmentAssignment.objects.filter(subject=subject).exists():
        reason = _("Randomised.")
    elif scheme is None or scheme.status != SchemeStatus.ACTIVE:
        reason = _("Randomisation is not open in this study.")
    elif subject.status not in (SubjectStatus.SCREENING, SubjectStatus.ENROLLED):
        reason = _("The subject is %(status)s.") % {"status": subject.get_status_display().lower()}
    elif not access.can(Perm.RANDOMISE):
        reason = _("Your role does not randomise.")
    return RandomisePanel(scheme, record, arm, can_randomise=not reason, reason=reason)


@dataclass(frozen=True)
class FactorPrompt:
    """A factor on the randomisation form: a known level (site, sex, eCRF item) or a choice to make."""

    factor: ResolvedFactor
    known: str | None


def randomise_prompts(scheme: RandomisationScheme, subject: Subject) -> list[FactorPrompt]:
    from opencro.rtsm.factors import subject_levels

    prompts = []
    for f in scheme_factors(scheme):
        known = None
        if f.source != FactorSource.ENTERED:
            try:
                known = subject_levels(subject, [f])[f.name]
            except ValidationError:  # shown as missing; the service names the problem on submit
                known = None
        prompts.append(FactorPrompt(f, known))
    return prompts


def eligibility_criteria(study_id: int) -> list[EligibilityCriterion]:
    return list(EligibilityCriterion.objects.filter(study_id=study_id).order_by("kind", "number"))
