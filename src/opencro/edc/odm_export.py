"""Stream a study's clinical data as CDISC ODM 1.3.2 ClinicalData, optionally with its audit trail.

Subject by subject (a few queries each), so memory stays flat whatever the study's size. Only what
the caller may see is written: their sites; the EDC holds no treatment arm, so blinding holds.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import IO

from django.db.models import Q

from opencro.audit.models import AuditRecord
from opencro.edc.models import BuildVersion, Casebook, EventData, FormData, GroupItem, ItemData, ItemGroupDef
from opencro.formats.odm import clinical_model as m
from opencro.formats.odm.clinical_writer import ClinicalWriter
from opencro.studies.models import Site, Study
from opencro.subjects.models import Subject

CHUNK = 25  # subjects read together: a few queries per chunk, a few MB of rows in memory


def _user_oid(username: str) -> str:
    return f"USR.{username or 'system'}"


def _site_oid(site: Site) -> str:
    return f"SITE.{site.number}"


def clinical_export(
    study: Study,
    target: str | IO[bytes],
    *,
    site_ids: frozenset[int] | None = None,
    audit: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    creation_datetime: dt.datetime | None = None,
) -> int:
    """Write the study's data to `target`; return the number of subjects written."""
    subjects = Subject.objects.filter(study=study, forms__isnull=False).distinct()
    sites = Site.objects.filter(study=study)
    if site_ids is not None:
        subjects, sites = subjects.filter(site_id__in=site_ids), sites.filter(pk__in=site_ids)
    casebooks = dict(Casebook.objects.filter(study=study).values_list("subject_id", "version__oid"))
    versions = BuildVersion.objects.filter(study=study).order_by("-number")
    default_version = next((v.oid for v in versions if v.status == "published"), versions[0].oid if versions else "")
    group_of = _group_of_items(study)
    admin = m.AdminData(
        users=tuple(_users(study, site_ids) if audit else ()),
        locations=tuple(m.Location(oid=_site_oid(s), name=s.institution, location_type="Site") for s in sites),
    )
    ids = list(subjects.order_by("number").values_list("pk", flat=True))
    study_oid = (versions[0].odm_study_oid if versions else "") or f"S.{study.protocol_number}"
    written = 0
    with ClinicalWriter(
        target,
        file_oid=f"OpenCRO.{study.protocol_number}.clinical",
        study_oid=study_oid,
        metadata_version_oid=default_version,
        creation_datetime=creation_datetime,
        file_type="Transactional" if audit else "Snapshot",
        admin=admin,
    ) as writer:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            for subject in _subjects(chunk, casebooks, default_version, study_oid, group_of, audit):
                writer.write_subject(subject)
                written += 1
            if on_progress:
                on_progress(min(start + CHUNK, len(ids)), len(ids))
    return written


def _group_of_items(study: Study) -> dict[tuple[int, int], str]:
    """(form definition id, item definition id) -> the item group OID the item sits in on that form."""
    rows = GroupItem.objects.filter(group__version__study=study).values_list("group_id", "item_id")
    by_group: dict[int, list[int]] = defaultdict(list)
    for group_id, item_id in rows:
        by_group[group_id].append(item_id)
    oids = dict(ItemGroupDef.objects.filter(version__study=study).values_list("pk", "oid"))
    result: dict[tuple[int, int], str] = {}
    from opencro.edc.models import FormGroup

    for form_id, group_id in FormGroup.objects.filter(form__version__study=study).values_list("form_id", "group_id"):
        for item_id in by_group.get(group_id, ()):
            result.setdefault((form_id, item_id), oids[group_id])
    return result


def _users(study: Study, site_ids) -> list[m.User]:
    records = AuditRecord.objects.filter(study_id=study.pk, object_type="edc.itemdata")
    if site_ids is not None:
        records = records.filter(site_id__in=site_ids)
    names = sorted(set(records.values_list("username", flat=True).distinct()))
    return [m.User(oid=_user_oid(n), login_name=n or "system") for n in names]


def _subjects(ids, casebooks, default_version, study_oid, group_of, audit) -> list[m.SubjectData]:
    subjects = {s.pk: s for s in Subject.objects.filter(pk__in=ids).select_related("site")}
    events = defaultdict(list)
    rows = EventData.objects.filter(subject_id__in=ids).order_by("subject_id", "event_def__order", "repeat_key")
    for e in rows.values_list("subject_id", "pk", "event_oid", "repeat_key", "event_def__repeating"):
        events[e[0]].append(e)
    forms = defaultdict(list)
    rows = FormData.objects.filter(subject_id__in=ids).order_by("form_oid", "repeat_key")
    for f in rows.values_list(
        "event_id",
        "pk",
        "form_oid",
        "repeat_key",
        "form_def_id",
        "form_def__repeating",
        "status",
        "sdv_status",
        "frozen",
        "locked",
    ):
        forms[f[0]].append(f)
    items = defaultdict(list)
    rows = ItemData.objects.filter(form__subject_id__in=ids).order_by("group_repeat", "id")
    for r in rows.values_list(
        "form_id", "pk", "item_def_id", "item_def__oid", "group_repeat", "value", "not_done_reason", "verified"
    ):
        items[r[0]].append(r)
    trail = _trail([r[1] for rs in items.values() for r in rs]) if audit else {}
    result = []
    for subject_id in ids:
        subject = subjects[subject_id]
        result.append(
            m.SubjectData(
                subject_key=subject.number,
                site_oid=_site_oid(subject.site),
                study_oid=study_oid,
                metadata_version_oid=casebooks.get(subject_id, default_version),
                events=tuple(
                    m.EventData(
                        oid=oid,
                        repeat_key=str(repeat) if repeating or repeat > 1 else None,
                        forms=tuple(_form(f, items.get(f[1], []), group_of, trail) for f in forms.get(event_id, [])),
                    )
                    for _s, event_id, oid, repeat, repeating in events.get(subject_id, [])
                ),
            )
        )
    return result


def _form(form: tuple, rows: list[tuple], group_of, trail) -> m.FormData:
    _event, _form_id, oid, repeat, form_def_id, repeating_form, status, sdv_status, frozen, locked = form
    groups: dict[tuple[str, int], list[m.ItemValue]] = defaultdict(list)
    repeating: set[str] = set()
    for _form_id, pk, item_def_id, item_oid, group_repeat, value, not_done, verified in rows:
        group_oid = group_of.get((form_def_id, item_def_id)) or f"IG.{item_oid}"
        if group_repeat > 1:
            repeating.add(group_oid)
        extensions = {"opencro:NotDoneReason": not_done} if not_done else {}
        if verified:
            extensions["opencro:Verified"] = "Yes"
        groups[(group_oid, group_repeat)].append(
            m.ItemValue(
                item_oid=item_oid,
                value=value,
                is_null=value is None,
                audit=tuple(trail.get(pk, ())),
                extensions=extensions,
            )
        )
    extensions = {"opencro:Status": status, "opencro:SdvStatus": sdv_status}
    if frozen:
        extensions["opencro:Frozen"] = "Yes"
    if locked:
        extensions["opencro:Locked"] = "Yes"
    return m.FormData(
        oid=oid,
        repeat_key=str(repeat) if repeating_form or repeat > 1 else None,
        groups=tuple(
            m.ItemGroupData(oid=g, repeat_key=str(r) if g in repeating or r > 1 else None, items=tuple(values))
            for (g, r), values in groups.items()
        ),
        extensions=extensions,
    )


def _trail(item_ids: list[int]) -> dict[int, list[m.AuditInfo]]:
    """Every audit record of these item values, oldest first, as ODM AuditRecords."""
    trail: dict[int, list[m.AuditInfo]] = defaultdict(list)
    keys = [str(i) for i in item_ids]
    for start in range(0, len(keys), 5000):
        records = (
            AuditRecord.objects.filter(object_type="edc.itemdata", object_id__in=keys[start : start + 5000])
            .filter(Q(field="value") | Q(field="not_done_reason"))
            .order_by("id")
            .values_list("object_id", "username", "site_id", "timestamp", "reason", "id")
        )
        for object_id, username, _site, timestamp, reason, record_id in records:
            trail[int(object_id)].append(
                m.AuditInfo(
                    user_oid=_user_oid(username),
                    location_oid=None,
                    datetime=timestamp,
                    reason=reason or None,
                    source_id=f"audit-{record_id}",
                )
            )
    return trail
