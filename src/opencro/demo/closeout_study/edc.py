"""OPC-204's eCRF data, entered by each site through the EDC services a day after each visit, with values drawn as
OPC-301's are (`demo.clinical`: a participant's stable characteristics, varying from visit to visit); the adverse
events and the end of each participant's part on the log forms."""

import datetime as dt

from opencro.accounts.models import User
from opencro.demo.clinical import _entries
from opencro.demo.clinical.participants import participant
from opencro.demo.clinical.visits import FORM_VALUES
from opencro.demo.clock import afternoon, demo_clock
from opencro.demo.closeout_study import crf, data
from opencro.demo.closeout_study.participants import ended_on
from opencro.demo.crf import LOG_EVENT
from opencro.edc.services.entry import form_save
from opencro.subjects.models import Subject

ENTRY_LAG = dt.timedelta(days=1)  # the sites enter a visit the day after it


def _save(
    actor: User, subject: Subject, event_oid: str, form_oid: str, values: dict | list[dict], day: dt.date, **kw
) -> None:
    """Save one form (a row, or the rows of a log) on the clock of the day after `day`."""
    with demo_clock(afternoon(day + ENTRY_LAG)):
        form_save(
            actor=actor,
            subject=subject,
            event_oid=event_oid,
            form_oid=form_oid,
            entries=_entries(values),
            today=day + ENTRY_LAG,
            **kw,
        )


def _visits(subject: Subject, last: dt.date) -> list[tuple[str, dt.date]]:
    """The participant's visits: screening, then those of the schedule up to the end of their part."""
    visits = [("V1", subject.screened_on)]
    if subject.enrolled_on is not None:
        for code, days in data.VISIT_DAYS.items():
            day = subject.enrolled_on + dt.timedelta(days=days)
            if day <= last:
                visits.append((code, day))
    return visits


def _adverse_event(term, start, end, severity, relationship, action) -> dict[str, str]:
    return {
        "IT.AETERM": term,
        "IT.AESTDAT": start.isoformat(),
        "IT.AEONGO": "N",
        "IT.AEENDAT": end.isoformat(),
        "IT.AESEV": severity,
        "IT.AESER": "N",
        "IT.AEREL": relationship,
        "IT.AEACN": action,
        "IT.AEOUT": "RECOVERED/RESOLVED",
    }


def casebook_enter(n: int, subject: Subject, outcome: str | tuple) -> None:
    """Participant `n` (1-based, `data.PARTICIPANTS` order): each visit's forms, the adverse events reported and the
    end-of-study form, entered by the site's staff."""
    actor = User.objects.get(username=data.SITE_STAFF[subject.site.number])
    assignment = getattr(subject, "assignment", None)
    p = participant(subject, actor, assignment.arm.code if assignment else "")
    last = ended_on(subject, outcome)
    for code, day in _visits(subject, last):
        for form_oid in crf.VISIT_FORMS[code]:
            values = FORM_VALUES[form_oid](p, day)
            if form_oid == "F.IC":
                values["IT.ICVER"] = data.CONSENT[0]
            _save(actor, subject, f"SE.{code}", form_oid, values, day, visit_date=day)
    reported = data.ADVERSE_EVENTS.get(n, [])
    if reported:  # entered once the last of them resolved
        events = [_adverse_event(*row) for row in reported]
        _save(actor, subject, LOG_EVENT, "F.AE", events, max(row[2] for row in reported))
    term = data.DS_TERMS[outcome[0] if isinstance(outcome, tuple) else outcome]
    _save(actor, subject, LOG_EVENT, "F.DS", {"IT.DSDECOD": term, "IT.DSSTDAT": last.isoformat()}, last)
