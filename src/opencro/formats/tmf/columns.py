"""The spreadsheet's columns, under the headings the published versions give them.

The model is published as an Excel workbook whose main sheet has one row per artifact (TMF RM
User Guide v1.0, 16 March 2018, section 4 "Navigating the TMF Reference Model Excel Spreadsheet").
Headings vary between versions and copies: version 3 splits the sponsor and investigator columns
into "Non Device" and "Device" ones and headings the levels "Trial Level Document", "Country/ Region
Level Document" and "Site Level Document"; exports and older versions write "Sponsor Document",
"Country level" and the like. Headings are compared without case, spacing or punctuation, so
"Zone #", "zone#" and "Zone No." all match.
"""

import re

ZONE_NUMBER = "zone_number"
ZONE_NAME = "zone_name"
SECTION_NUMBER = "section_number"
SECTION_NAME = "section_name"
ARTIFACT_NUMBER = "artifact_number"
ARTIFACT_NAME = "artifact_name"
TRIAL_LEVEL = "trial_level"
COUNTRY_LEVEL = "country_level"
SITE_LEVEL = "site_level"
CORE = "core"
SPONSOR = "sponsor"
INVESTIGATOR = "investigator"
DEVICE_SPONSOR = "device_sponsor"
DEVICE_INVESTIGATOR = "device_investigator"
INVESTIGATOR_INITIATED = "investigator_initiated"
ICH_CODE = "ich_code"
DEFINITION = "definition"
SUB_ARTIFACTS = "sub_artifacts"
ALTERNATE_NAMES = "alternate_names"
UNIQUE_ID = "unique_id"
DATING_CONVENTION = "dating_convention"
PROCESS = "process"
MILESTONE = "milestone"

SPELLINGS: dict[str, tuple[str, ...]] = {
    ZONE_NUMBER: ("Zone #", "Zone Number", "Zone No", "Zone Nbr", "Zone ID"),
    ZONE_NAME: ("Zone Name", "TMF Zone", "Zone"),
    SECTION_NUMBER: ("Section #", "Section Number", "Section No", "Section Nbr", "Section ID"),
    SECTION_NAME: ("Section Name", "Section"),
    ARTIFACT_NUMBER: ("Artifact #", "Artifact Number", "Artifact No", "Artifact Nbr", "Artifact ID", "Artefact #"),
    ARTIFACT_NAME: ("Artifact name", "Artifact", "Artefact name"),
    TRIAL_LEVEL: ("Trial Level Document", "Trial Level", "Trial", "Study Level Document", "Study Level"),
    COUNTRY_LEVEL: (
        "Country/ Region Level Document",
        "Country/Region Level Document",
        "Country Level Document",
        "Country/ Region Level",
        "Country/Region Level",
        "Country Level",
        "Country",
        "Country/Region",
        "Region Level Document",
    ),
    SITE_LEVEL: ("Site Level Document", "Site Level", "Site"),
    CORE: (
        "Core or Recommended for inclusion",
        "Core or Recommended",
        "Core/Recommended",
        "Core or Recommended for Inclusion in TMF",
        "Inclusion",
    ),
    SPONSOR: ("Non Device Sponsor Document", "Non-Device Sponsor Document", "Sponsor Document", "Sponsor"),
    INVESTIGATOR: (
        "Non Device Investigator Document",
        "Non-Device Investigator Document",
        "Investigator Document",
        "Investigator Site File",
        "Investigator",
    ),
    DEVICE_SPONSOR: ("Device Sponsor Document",),
    DEVICE_INVESTIGATOR: ("Device Investigator Document",),
    INVESTIGATOR_INITIATED: (
        "Investigator Initiated Study Artifacts",
        "Investigator Initiated Study",
        "IIS",
        "IIT",
    ),
    ICH_CODE: ("ICH Code", "ICH E6 Code", "ICH E6 Reference", "ICH E6(R2) Code", "ICH E6(R3) Code", "ICH"),
    DEFINITION: ("Definition / Purpose", "Definition/Purpose", "Definition", "Purpose", "Description"),
    SUB_ARTIFACTS: (
        "Sub-artifacts",
        "Sub artifacts",
        "Sub-artifact",
        "Sub-artifact Examples",
        "Sub-artifacts (Examples)",
        "Example Sub-artifacts",
    ),
    ALTERNATE_NAMES: ("Alternate names", "Alternative names", "Alternate name", "Other names"),
    UNIQUE_ID: ("Unique ID Number", "Unique ID", "Unique Identifier", "Unique ID #"),
    DATING_CONVENTION: ("Dating Convention", "Dating Conventions", "Date Convention"),
    PROCESS: ("Process", "Process Name"),
    MILESTONE: ("Milestone", "Milestones", "Milestone/Event", "Trial Milestone"),
}

REQUIRED: tuple[str, ...] = (
    ZONE_NUMBER,
    ZONE_NAME,
    SECTION_NUMBER,
    SECTION_NAME,
    ARTIFACT_NUMBER,
    ARTIFACT_NAME,
    TRIAL_LEVEL,
    COUNTRY_LEVEL,
    SITE_LEVEL,
    CORE,
)

LEVEL_COLUMNS: dict[str, str] = {"trial": TRIAL_LEVEL, "country": COUNTRY_LEVEL, "site": SITE_LEVEL}

# A heading may carry an explanation after a dash, colon or bracket ("Sub-artifacts - Overwrite with
# your company-specific records"); the part before it is tried when the whole does not match.
_QUALIFIER = re.compile(r"\s+[-\u2013\u2014:(\[].*$", re.DOTALL)


def normalise(heading: str) -> str:
    """Compare headings without case, spacing or punctuation ("#" reads as "number")."""
    text = heading.replace("#", " number ").replace("Nbr", "number").replace("No.", "number")
    return "".join(ch for ch in text.lower() if ch.isalnum()).replace("artefact", "artifact")


_ALIASES: dict[str, str] = {normalise(name): key for key, names in SPELLINGS.items() for name in names}


def column_key(heading: str) -> str | None:
    """The column a heading means, or None for a column the reader does not use."""
    heading = " ".join(heading.split())
    if not heading:
        return None
    key = _ALIASES.get(normalise(heading))
    if key is None:
        stem = _QUALIFIER.sub("", heading)
        if stem and stem != heading:
            key = _ALIASES.get(normalise(stem))
    return key


def described(key: str) -> str:
    """The headings a column is looked for under, for messages."""
    return " or ".join(f"'{name}'" for name in SPELLINGS[key][:3])
