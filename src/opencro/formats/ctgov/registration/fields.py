"""`registered_fields`: the part of a published API v2 study that a `Registration` covers (`COVERED`).

A record read and written again compares equal to this projection of the original. Reference: ClinicalTrials.gov
API v2, "Study Data Structure" (protocolSection field names).
"""

from typing import Any

from opencro.formats.ctgov.registration.writer import prune

_DATE = {"date": True, "type": True}
_CONTACT = {"name": True, "role": True, "phone": True, "phoneExt": True, "email": True}
_OUTCOME = {"measure": True, "description": True, "timeFrame": True}
COVERED: dict[str, Any] = {
    "identificationModule": {
        "nctId": True,
        "orgStudyIdInfo": {"id": True, "type": True, "link": True},
        "secondaryIdInfos": {"id": True, "type": True, "domain": True, "link": True},
        "organization": {"fullName": True, "class": True},
        "briefTitle": True,
        "officialTitle": True,
        "acronym": True,
    },
    "statusModule": {
        "statusVerifiedDate": True,
        "overallStatus": True,
        "whyStopped": True,
        "expandedAccessInfo": {"hasExpandedAccess": True},
        "startDateStruct": _DATE,
        "primaryCompletionDateStruct": _DATE,
        "completionDateStruct": _DATE,
    },
    "sponsorCollaboratorsModule": {
        "responsibleParty": {
            "type": True,
            "investigatorFullName": True,
            "investigatorTitle": True,
            "investigatorAffiliation": True,
        },
        "leadSponsor": {"name": True, "class": True},
        "collaborators": {"name": True, "class": True},
    },
    "conditionsModule": {"conditions": True, "keywords": True},
    "designModule": {
        "studyType": True,
        "patientRegistry": True,
        "targetDuration": True,
        "phases": True,
        "designInfo": {
            "allocation": True,
            "interventionModel": True,
            "interventionModelDescription": True,
            "primaryPurpose": True,
            "observationalModel": True,
            "timePerspective": True,
            "maskingInfo": {"masking": True, "maskingDescription": True, "whoMasked": True},
        },
        "enrollmentInfo": {"count": True, "type": True},
    },
    "armsInterventionsModule": {
        "armGroups": {"label": True, "type": True, "description": True, "interventionNames": True},
        "interventions": {
            "type": True,
            "name": True,
            "description": True,
            "armGroupLabels": True,
            "otherNames": True,
        },
    },
    "outcomesModule": {"primaryOutcomes": _OUTCOME, "secondaryOutcomes": _OUTCOME, "otherOutcomes": _OUTCOME},
    "eligibilityModule": {
        "eligibilityCriteria": True,
        "healthyVolunteers": True,
        "sex": True,
        "genderBased": True,
        "genderDescription": True,
        "minimumAge": True,
        "maximumAge": True,
        "stdAges": True,
        "studyPopulation": True,
        "samplingMethod": True,
    },
    "contactsLocationsModule": {
        "centralContacts": _CONTACT,
        "overallOfficials": {"name": True, "affiliation": True, "role": True},
        "locations": {
            "facility": True,
            "status": True,
            "city": True,
            "state": True,
            "zip": True,
            "country": True,
            "contacts": _CONTACT,
        },
    },
}


def registered_fields(study: dict[str, Any]) -> dict[str, Any]:
    """The part of an API v2 study that a `Registration` represents, empty values dropped.

    ``registration_to_ctgov(registration_from_ctgov(study)) == registered_fields(study)`` for a well-formed study.
    """
    protocol = study.get("protocolSection") if isinstance(study, dict) else None
    return {"protocolSection": prune(_project(protocol, COVERED)) or {}}


def _project(value: Any, spec: Any) -> Any:
    if spec is True:
        return value
    if isinstance(value, list):
        return [_project(item, spec) for item in value]
    if isinstance(value, dict):
        return {key: _project(value[key], sub) for key, sub in spec.items() if key in value}
    return None
