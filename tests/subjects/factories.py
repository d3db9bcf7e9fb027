"""Consent forms, criteria and participants for the subjects tests, made through the services."""

import datetime as dt

from opencro.studies import services as studies
from opencro.studies.models import EligibilityCriterion
from opencro.subjects.consent_forms import consent_form_approve, consent_form_create, consent_form_ethics_record
from opencro.subjects.screening import participant_screen
from tests.conftest import PASSWORD

ETHICS_DAY = dt.date(2025, 12, 1)


def approved_form(study, version="1.0", language="en", *, sites=(), countries=(), actor=None):
    form = consent_form_create(
        actor=actor,
        study=study,
        version=version,
        language=language,
        title=f"Main ICF {version}",
        text="You are invited to take part in this study.",
        sites=sites,
        countries=countries,
    )
    consent_form_ethics_record(actor=actor, form=form, committee="Central IRB", approved_on=ETHICS_DAY)
    return consent_form_approve(actor=actor, form=form, password=PASSWORD)


def criteria(study) -> dict[str, EligibilityCriterion]:
    """I1 age 18-85 (computable), I2 signed consent understood (not computable), E1 weight over 150 kg (EDC item)."""
    rows = {
        "I1": EligibilityCriterion(
            study=study, kind="inclusion", number=1, text="Aged 18 to 85", expression="age >= 18 and age <= 85"
        ),
        "I2": EligibilityCriterion(study=study, kind="inclusion", number=2, text="Able to understand the study"),
        "E1": EligibilityCriterion(
            study=study, kind="exclusion", number=1, text="Weight over 150 kg", expression="weight > 150"
        ),
    }
    return {k: studies.protocol_item_save(actor=None, instance=v) for k, v in rows.items()}


def screened(site, form, *, actor=None, name="Jane Roe", year_of_birth=1970, rescreen_of=None, screened_on=None):
    return participant_screen(
        actor=actor,
        site=site,
        form=form,
        method="electronic",
        participant_name=name,
        password=PASSWORD,
        sex="F",
        year_of_birth=year_of_birth,
        rescreen_of=rescreen_of,
        screened_on=screened_on,
    )
