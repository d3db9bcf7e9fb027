"""Django system checks of the safety app's settings."""

from pathlib import Path

from django.conf import settings
from django.core import checks

from opencro.formats.e2b.schema import SchemaFolderError, root_schema


def check_e2b_schemas(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Warn when OPENCRO_E2B_SCHEMAS is set but does not hold the ICH E2B(R3) schemas (ICSR and acknowledgement).

    Empty is fine: files are then checked against the business rules only, without XSD validation.
    """
    folder = getattr(settings, "OPENCRO_E2B_SCHEMAS", "") or ""
    if not folder:
        return []
    problems = []
    for root in ("{urn:hl7-org:v3}MCCI_IN200100UV01", "{urn:hl7-org:v3}MCCI_IN200101UV01"):
        try:
            root_schema(Path(folder), root)
        except SchemaFolderError as exc:
            problems.append(str(exc))
    if not problems:
        return []
    return [
        checks.Warning(
            "OPENCRO_E2B_SCHEMAS is not an ICH E2B(R3) schema folder: " + "; ".join(problems),
            hint="Point it at the ICH package's 4_ICH_ICSR_Schema_Files folder (holding multicacheschemas/), "
            "or leave it empty to check files against the business rules only.",
            id="safety.W001",
        )
    ]
