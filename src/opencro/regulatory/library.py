"""The authorities library a new installation starts with (`data/authorities.json`), read and checked."""

import json
from importlib import resources
from typing import Any

CATEGORIES = {"initial", "amendment", "marketing", "annual_report", "safety_report", "notification"}
STARTS = {"submitted", "acknowledged", "validated", "previous", "question", "decision"}
EFFECTS = {"due", "may_proceed", "lapses"}


def library_payload() -> dict[str, Any]:
    """The shipped library, checked: every category, clock start and effect is one the models know."""
    payload = json.loads(resources.files("opencro.regulatory").joinpath("data/authorities.json").read_text("utf-8"))
    problems = []
    for authority in payload["authorities"]:
        for kind in authority["types"]:
            where = f"{authority['code']} {kind['code']}"
            if kind["category"] not in CATEGORIES:
                problems.append(f"{where}: category {kind['category']!r}")
            for clock in kind["clocks"]:
                name, effect = clock["name"], clock.get("effect", "due")
                if clock["starts"] not in STARTS or effect not in EFFECTS:
                    problems.append(f"{where} {name}: start {clock['starts']!r}, effect {effect!r}")
                if clock.get("basis", "calendar") not in ("calendar", "working") or int(clock["days"]) < 1:
                    problems.append(f"{where} {clock['name']}: {clock['days']} {clock.get('basis')}")
    if problems:
        raise ValueError("authorities.json: " + "; ".join(problems))
    return payload


def library_install(payload: dict[str, Any], authority_model, type_model, clock_model) -> int:
    """Create the library's authorities that do not exist yet (by code), with their types and clocks; return how
    many authorities were created. Takes the model classes so a data migration can pass its historical ones."""
    created = 0
    for entry in payload["authorities"]:
        if authority_model.objects.filter(code=entry["code"]).exists():
            continue
        authority = authority_model.objects.create(
            code=entry["code"], name=entry["name"], country_code=entry["country_code"], portal=entry["portal"]
        )
        created += 1
        for kind in entry["types"]:
            application_type = type_model.objects.create(
                authority=authority,
                code=kind["code"],
                name=kind["name"],
                category=kind["category"],
                reference=kind.get("reference", ""),
                effective_on_submission=kind.get("effective_on_submission", False),
            )
            for order, clock in enumerate(kind["clocks"], start=1):
                clock_model.objects.create(
                    application_type=application_type,
                    order=order,
                    name=clock["name"],
                    starts=clock["starts"],
                    days=clock["days"],
                    basis=clock.get("basis", "calendar"),
                    stops_for_questions=clock.get("stops_for_questions", False),
                    recurs_months=clock.get("recurs_months"),
                    effect=clock.get("effect", "due"),
                    reference=clock.get("reference", ""),
                )
    return created


def library_ensure() -> int:
    """Install the shipped authorities missing from the database (a flushed test database, an old installation):
    never changes one that exists; return how many were created."""
    from opencro.regulatory.models import ApplicationType, Authority, ClockRule

    return library_install(library_payload(), Authority, ApplicationType, ClockRule)
