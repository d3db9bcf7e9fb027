"""The rows behind the DSUR tables, scoped and blinded by the reader's access (`safety.dsur` computes)."""

import datetime as dt

from opencro.accounts.access import StudyAccess
from opencro.followup.models import Disposition
from opencro.safety.dsur import BLINDED, SaeRow
from opencro.safety.models import CaseStatus, CaseVersion
from opencro.safety.parts import versions_parts
from opencro.studies.models import Arm
from opencro.subjects.models import Subject, TreatmentAssignment


def _arms_by_subject(access: StudyAccess) -> dict[int, str]:
    if not access.sees_treatment:
        return {}
    return dict(
        TreatmentAssignment.objects.filter(subject__study_id=access.membership.study_id).values_list(
            "subject_id", "arm__name"
        )
    )


def dsur_arms(access: StudyAccess) -> list[str]:
    """The tabulation's columns: the study's arms for an unblinded reader, else one blinded column."""
    if not access.sees_treatment:
        return [BLINDED]
    return list(Arm.objects.filter(study_id=access.membership.study_id).order_by("code").values_list("name", flat=True))


def dsur_sae_rows(access: StudyAccess) -> list[SaeRow]:
    """Every serious event of the study's open cases (current versions), study-wide readers only."""
    arms = _arms_by_subject(access)
    versions = CaseVersion.objects.filter(
        study_id=access.membership.study_id, latest=True, case__status=CaseStatus.OPEN
    ).select_related("case", "case__subject", "case__site__country")
    rows = []
    versions = list(versions)
    for version, parts in zip(versions, versions_parts(versions).values(), strict=True):
        case, patient = version.case, parts.patient
        age_sex = " ".join(
            p
            for p in (
                (f"{patient.age:g}{patient.age_unit}" if patient and patient.age else ""),
                {"1": "M", "2": "F"}.get(patient.sex if patient else "", ""),
            )
            if p
        )
        suspects = [p for p in parts.products if p.role in ("1", "3")]
        for event in parts.events:
            if not event.serious:
                continue
            results = {
                a.source: a.result
                for pair in parts.pairs
                if pair.event_id == event.pk and pair.product_id in {p.pk for p in suspects}
                for a in parts.assessments
                if a.pair_id == pair.pk
            }
            rows.append(
                SaeRow(
                    case_number=case.number,
                    received_on=case.initial_received_on,
                    country=event.country or (case.site.country.code if case.site_id else ""),
                    subject=case.subject.number if case.subject_id else "",
                    age_sex=age_sex,
                    soc=event.soc_name,
                    pt=event.pt_name,
                    verbatim=event.verbatim,
                    onset=event.onset,
                    outcome=event.get_outcome_display(),
                    seriousness=", ".join(event.seriousness_labels()),
                    products=", ".join(p.name for p in suspects),
                    related_reporter=None if "reporter" not in results else results["reporter"] == "related",
                    related_company=None if "company" not in results else results["company"] == "related",
                    unexpected=event.unexpected,
                    arm=arms.get(case.subject_id, BLINDED) if access.sees_treatment else BLINDED,
                )
            )
    return rows


def dsur_participants(access: StudyAccess) -> list[tuple[str, dt.date, dt.date | None]]:
    """(arm or blinded, enrolled on, ended on) of every enrolled participant."""
    arms = _arms_by_subject(access)
    ended = dict(
        Disposition.objects.filter(study_id=access.membership.study_id).values_list("subject_id", "disposition_on")
    )
    return [
        (arms.get(pk, BLINDED) if access.sees_treatment else BLINDED, enrolled, ended.get(pk))
        for pk, enrolled in Subject.objects.filter(
            study_id=access.membership.study_id, enrolled_on__isnull=False
        ).values_list("pk", "enrolled_on")
    ]
