"""`registration_to_ctgov`: a `Registration` written as an API v2 study, empty fields left out.

Reference: ClinicalTrials.gov API v2, "Study Data Structure" (the protocolSection modules and their field names).
"""

from enum import StrEnum
from typing import Any

from opencro.formats.ctgov.registration.model import (
    Agency,
    Contact,
    Eligibility,
    Outcome,
    Registration,
    ResponsibleParty,
    StudyDate,
)


def registration_to_ctgov(reg: Registration) -> dict[str, Any]:
    """The registration as an API v2 study: ``{"protocolSection": {...nine modules...}}``.

    Empty fields are left out, as ClinicalTrials.gov leaves them out of its records; ``False`` and ``0`` are kept.
    """
    design = reg.design
    eligibility = reg.eligibility
    protocol = {
        "identificationModule": {
            "nctId": reg.nct_id,
            "orgStudyIdInfo": {"id": reg.org_study_id, "type": reg.org_study_id_type, "link": reg.org_study_id_link},
            "secondaryIdInfos": [
                {"id": s.id, "type": s.type, "domain": s.domain, "link": s.link} for s in reg.secondary_ids
            ],
            "organization": _agency(reg.organization, "fullName"),
            "briefTitle": reg.brief_title,
            "officialTitle": reg.official_title,
            "acronym": reg.acronym,
        },
        "statusModule": {
            "statusVerifiedDate": reg.status_verified.text if reg.status_verified else None,
            "overallStatus": reg.overall_status,
            "whyStopped": reg.why_stopped,
            "expandedAccessInfo": {"hasExpandedAccess": reg.has_expanded_access},
            "startDateStruct": _date_struct(reg.start),
            "primaryCompletionDateStruct": _date_struct(reg.primary_completion),
            "completionDateStruct": _date_struct(reg.completion),
        },
        "sponsorCollaboratorsModule": {
            "responsibleParty": _responsible_party(reg.responsible_party),
            "leadSponsor": _agency(reg.lead_sponsor, "name"),
            "collaborators": [_agency(agency, "name") for agency in reg.collaborators],
        },
        "conditionsModule": {"conditions": list(reg.conditions), "keywords": list(reg.keywords)},
        "designModule": {
            "studyType": design.study_type,
            "patientRegistry": design.patient_registry,
            "targetDuration": design.target_duration,
            "phases": list(design.phases),
            "designInfo": {
                "allocation": design.allocation,
                "interventionModel": design.intervention_model,
                "interventionModelDescription": design.intervention_model_description,
                "primaryPurpose": design.primary_purpose,
                "observationalModel": design.observational_model,
                "timePerspective": design.time_perspective,
                "maskingInfo": {
                    "masking": design.masking,
                    "maskingDescription": design.masking_description,
                    "whoMasked": list(design.who_masked),
                },
            },
            "enrollmentInfo": {"count": design.enrollment_count, "type": design.enrollment_type},
        },
        "armsInterventionsModule": {
            "armGroups": [
                {
                    "label": arm.label,
                    "type": arm.type,
                    "description": arm.description,
                    "interventionNames": list(arm.intervention_names),
                }
                for arm in reg.arm_groups
            ],
            "interventions": [
                {
                    "type": item.type,
                    "name": item.name,
                    "description": item.description,
                    "armGroupLabels": list(item.arm_group_labels),
                    "otherNames": list(item.other_names),
                }
                for item in reg.interventions
            ],
        },
        "outcomesModule": {
            "primaryOutcomes": [_outcome(outcome) for outcome in reg.primary_outcomes],
            "secondaryOutcomes": [_outcome(outcome) for outcome in reg.secondary_outcomes],
            "otherOutcomes": [_outcome(outcome) for outcome in reg.other_outcomes],
        },
        "eligibilityModule": {
            "eligibilityCriteria": eligibility.criteria,
            "healthyVolunteers": eligibility.healthy_volunteers,
            "sex": eligibility.sex,
            "genderBased": eligibility.gender_based,
            "genderDescription": eligibility.gender_description,
            "minimumAge": eligibility.minimum_age,
            "maximumAge": eligibility.maximum_age,
            "stdAges": list(eligibility.standard_ages) if _has_eligibility(eligibility) else [],
            "studyPopulation": eligibility.study_population,
            "samplingMethod": eligibility.sampling_method,
        },
        "contactsLocationsModule": {
            "centralContacts": [_contact(contact) for contact in reg.central_contacts],
            "overallOfficials": [
                {"name": person.name, "affiliation": person.affiliation, "role": person.role}
                for person in reg.overall_officials
            ],
            "locations": [
                {
                    "facility": site.facility,
                    "status": site.status,
                    "city": site.city,
                    "state": site.state,
                    "zip": site.zip,
                    "country": site.country,
                    "contacts": [_contact(contact) for contact in site.contacts],
                }
                for site in reg.locations
            ],
        },
    }
    return {"protocolSection": prune(protocol) or {}}


def _agency(agency: Agency | None, name_key: str) -> dict[str, Any] | None:
    return {name_key: agency.name, "class": agency.agency_class} if agency else None


def _responsible_party(party: ResponsibleParty | None) -> dict[str, Any] | None:
    if party is None:
        return None
    return {
        "type": party.type,
        "investigatorFullName": party.investigator_full_name,
        "investigatorTitle": party.investigator_title,
        "investigatorAffiliation": party.investigator_affiliation,
    }


def _date_struct(value: StudyDate | None) -> dict[str, Any] | None:
    return {"date": value.text, "type": value.type} if value else None


def _outcome(outcome: Outcome) -> dict[str, Any]:
    return {"measure": outcome.measure, "description": outcome.description, "timeFrame": outcome.time_frame}


def _contact(contact: Contact) -> dict[str, Any]:
    return {
        "name": contact.name,
        "role": contact.role,
        "phone": contact.phone,
        "phoneExt": contact.phone_ext,
        "email": contact.email,
    }


def _has_eligibility(eligibility: Eligibility) -> bool:
    return eligibility != Eligibility()


def prune(value: Any) -> Any:
    """Drop None, "" and empty containers, recursively; StrEnum members become plain strings."""
    if isinstance(value, dict):
        pruned = {key: item for key, item in ((k, prune(v)) for k, v in value.items()) if item is not None}
        return pruned or None
    if isinstance(value, list):
        items = [item for item in (prune(v) for v in value) if item is not None]
        return items or None
    if isinstance(value, StrEnum):
        return str(value)
    if value == "" or value is None:
        return None
    return value
