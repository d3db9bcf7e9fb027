"""What changed between the registration as posted and the protocol as it stands: the list of `Change`s.

A protocol amendment must reach ClinicalTrials.gov (42 CFR 11.64: updates within 30 days of a protocol amendment
approved by the IRB for changes to e.g. outcome measures, eligibility, arms); `registration_diff` says which
registered fields the current protocol no longer matches. Paths are readable and stable: a section and the API v2
field name, ``eligibility.maximumAge``, ``status.primaryCompletionDate``, ``outcomes.primary[1].timeFrame``.

Lists are matched by key, not position, so reordering is not a change: arms by label, interventions by name,
outcomes by measure, locations by facility (with city and country, since "Research Site" repeats),
collaborators, contacts and officials by name, secondary ids by id. Keys are compared with case, accents and
punctuation folded, so re-capitalising an outcome measure is reported as a change of its ``measure`` and not as a
removal and an addition. An index in a path is the item's position in the current registration, or in the
registered one for a removal (0-based, like the JSON paths of `FormatError`). Lists of names (conditions, keywords,
phases, masked roles, an arm's interventions) are compared as multisets.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from opencro.formats.ctgov.registration import Agency, Contact, Outcome, Registration, StudyDate
from opencro.formats.ctgov.sites import fold


@dataclass(frozen=True)
class Change:
    """One difference: `registered` is None for an addition, `current` is None for a removal.

    Values are as in the API v2 JSON: enumeration names, ISO dates ("2025-06" for a month), numbers, booleans,
    and for an added or removed list item an object of its fields.
    """

    path: str
    registered: Any
    current: Any

    @property
    def kind(self) -> str:
        """``"added"``, ``"removed"`` or ``"changed"``."""
        if self.registered is None:
            return "added"
        if self.current is None:
            return "removed"
        return "changed"

    def __str__(self) -> str:
        if self.kind == "added":
            return f"{self.path}: added {self.current!r}"
        if self.kind == "removed":
            return f"{self.path}: removed {self.registered!r}"
        return f"{self.path}: {self.registered!r} -> {self.current!r}"


def registration_diff(registered: Registration, current: Registration) -> list[Change]:
    """Every field of `current` that differs from `registered`, in the order of the registration's sections."""
    changes: list[Change] = []
    _diff(_view(registered), _view(current), "", changes)
    return changes


# -- a registration as a tree of comparable values ---------------------------------------------------------------


@dataclass(frozen=True)
class _Keyed:
    """A list whose items are matched by key: (key, fields) in list order."""

    items: tuple[tuple[str, dict[str, Any]], ...]


@dataclass(frozen=True)
class _Bag:
    """A list of names compared as a multiset."""

    items: tuple[str, ...]


def _keyed(items: Iterable[tuple[str, dict[str, Any]]]) -> _Keyed:
    """Key duplicates get an occurrence number, so two "Research Site"s in one city stay two items."""
    seen: Counter[str] = Counter()
    keyed = []
    for key, fields in items:
        seen[key] += 1
        keyed.append((f"{key}#{seen[key]}" if seen[key] > 1 else key, fields))
    return _Keyed(tuple(keyed))


def _date(value: StudyDate | None) -> str | None:
    return value.text if value else None


def _date_type(value: StudyDate | None) -> str | None:
    return value.type if value and value.type else None


def _agency(agency: Agency | None) -> dict[str, Any]:
    return {"name": agency.name if agency else None, "class": agency.agency_class if agency else None}


def _outcomes(outcomes: tuple[Outcome, ...]) -> _Keyed:
    return _keyed(
        (fold(o.measure), {"measure": o.measure, "description": o.description, "timeFrame": o.time_frame})
        for o in outcomes
    )


def _contacts(contacts: tuple[Contact, ...]) -> _Keyed:
    return _keyed(
        (
            fold(c.name),
            {"name": c.name, "role": c.role, "phone": c.phone, "phoneExt": c.phone_ext, "email": c.email},
        )
        for c in contacts
    )


def _view(reg: Registration) -> dict[str, Any]:
    design = reg.design
    eligibility = reg.eligibility
    party = reg.responsible_party
    return {
        "identification": {
            "orgStudyId": reg.org_study_id,
            "orgStudyIdType": reg.org_study_id_type,
            "orgStudyIdLink": reg.org_study_id_link,
            "nctId": reg.nct_id,
            "briefTitle": reg.brief_title,
            "officialTitle": reg.official_title,
            "acronym": reg.acronym,
            "organization": _agency(reg.organization),
            "secondaryIds": _keyed(
                (fold(s.id), {"id": s.id, "type": s.type, "domain": s.domain, "link": s.link})
                for s in reg.secondary_ids
            ),
        },
        "status": {
            "overallStatus": reg.overall_status,
            "statusVerifiedDate": _date(reg.status_verified),
            "whyStopped": reg.why_stopped,
            "hasExpandedAccess": reg.has_expanded_access,
            "startDate": _date(reg.start),
            "startDateType": _date_type(reg.start),
            "primaryCompletionDate": _date(reg.primary_completion),
            "primaryCompletionDateType": _date_type(reg.primary_completion),
            "completionDate": _date(reg.completion),
            "completionDateType": _date_type(reg.completion),
        },
        "sponsor": {
            "leadSponsor": _agency(reg.lead_sponsor),
            "collaborators": _keyed(
                (fold(c.name), {"name": c.name, "class": c.agency_class}) for c in reg.collaborators
            ),
            "responsibleParty": {
                "type": party.type if party else None,
                "investigatorFullName": party.investigator_full_name if party else None,
                "investigatorTitle": party.investigator_title if party else None,
                "investigatorAffiliation": party.investigator_affiliation if party else None,
            },
        },
        "conditions": {"conditions": _Bag(reg.conditions), "keywords": _Bag(reg.keywords)},
        "design": {
            "studyType": design.study_type,
            "phases": _Bag(design.phases),
            "allocation": design.allocation,
            "interventionModel": design.intervention_model,
            "interventionModelDescription": design.intervention_model_description,
            "primaryPurpose": design.primary_purpose,
            "observationalModel": design.observational_model,
            "timePerspective": design.time_perspective,
            "masking": design.masking,
            "maskingDescription": design.masking_description,
            "whoMasked": _Bag(design.who_masked),
            "enrollmentCount": design.enrollment_count,
            "enrollmentType": design.enrollment_type,
            "patientRegistry": design.patient_registry,
            "targetDuration": design.target_duration,
        },
        "arms": _keyed(
            (
                fold(arm.label),
                {
                    "label": arm.label,
                    "type": arm.type,
                    "description": arm.description,
                    "interventionNames": _Bag(arm.intervention_names),
                },
            )
            for arm in reg.arm_groups
        ),
        "interventions": _keyed(
            (
                fold(item.name),
                {
                    "type": item.type,
                    "name": item.name,
                    "description": item.description,
                    "armGroupLabels": _Bag(item.arm_group_labels),
                    "otherNames": _Bag(item.other_names),
                },
            )
            for item in reg.interventions
        ),
        "outcomes": {
            "primary": _outcomes(reg.primary_outcomes),
            "secondary": _outcomes(reg.secondary_outcomes),
            "other": _outcomes(reg.other_outcomes),
        },
        "eligibility": {
            "criteria": eligibility.criteria,
            "sex": eligibility.sex,
            "minimumAge": eligibility.minimum_age,
            "maximumAge": eligibility.maximum_age,
            "healthyVolunteers": eligibility.healthy_volunteers,
            "genderBased": eligibility.gender_based,
            "genderDescription": eligibility.gender_description,
            "studyPopulation": eligibility.study_population,
            "samplingMethod": eligibility.sampling_method,
        },
        "contacts": {
            "central": _contacts(reg.central_contacts),
            "officials": _keyed(
                (fold(o.name), {"name": o.name, "affiliation": o.affiliation, "role": o.role})
                for o in reg.overall_officials
            ),
        },
        "locations": _keyed(
            (
                f"{fold(site.facility)}|{fold(site.city)}|{fold(site.country)}",
                {
                    "facility": site.facility,
                    "city": site.city,
                    "state": site.state,
                    "zip": site.zip,
                    "country": site.country,
                    "status": site.status,
                    "contacts": _contacts(site.contacts),
                },
            )
            for site in reg.locations
        ),
    }


# -- comparing two trees -------------------------------------------------------------------------------------------


def _diff(old: Any, new: Any, path: str, changes: list[Change]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in old:
            _diff(old[key], new[key], f"{path}.{key}" if path else key, changes)
    elif isinstance(old, _Keyed) and isinstance(new, _Keyed):
        _diff_keyed(old, new, path, changes)
    elif isinstance(old, _Bag) and isinstance(new, _Bag):
        _diff_bag(old, new, path, changes)
    else:
        before, after = _plain(old), _plain(new)
        if before != after:
            changes.append(Change(path, before, after))


def _diff_keyed(old: _Keyed, new: _Keyed, path: str, changes: list[Change]) -> None:
    before = {key: (index, fields) for index, (key, fields) in enumerate(old.items)}
    after_keys = set()
    for index, (key, fields) in enumerate(new.items):
        after_keys.add(key)
        if key in before:
            _diff(before[key][1], fields, f"{path}[{index}]", changes)
        else:
            changes.append(Change(f"{path}[{index}]", None, _plain(fields)))
    for key, (index, fields) in before.items():
        if key not in after_keys:
            changes.append(Change(f"{path}[{index}]", _plain(fields), None))


def _diff_bag(old: _Bag, new: _Bag, path: str, changes: list[Change]) -> None:
    removed = Counter(old.items) - Counter(new.items)
    added = Counter(new.items) - Counter(old.items)
    for index, item in enumerate(new.items):
        if added[item] > 0:
            added[item] -= 1
            changes.append(Change(f"{path}[{index}]", None, _plain(item)))
    for index, item in enumerate(old.items):
        if removed[item] > 0:
            removed[item] -= 1
            changes.append(Change(f"{path}[{index}]", _plain(item), None))


def _plain(value: Any) -> Any:
    """A JSON-like copy: enumeration members as their names, empty strings as None, keyed lists as lists."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, _Keyed):
        return [_plain(fields) for _, fields in value.items]
    if isinstance(value, _Bag):
        return [_plain(item) for item in value.items]
    if isinstance(value, str):
        return str(value) or None  # a StrEnum member becomes its plain name
    return value


__all__ = ["Change", "registration_diff"]
