"""EU Clinical Trials Regulation (EU) No 536/2014: a trial's public information as CTIS publishes it.

`eu_public_information` prepares, from a ClinicalTrials.gov `Registration`, the structured data CTIS makes public
(EU CT number, titles, sponsor, conditions, phase, objectives, criteria, end points, duration, member states
concerned with their planned participants, products) for the regulatory specialist to enter in CTIS, which has no
import format, and to check the two registries against each other. `split_criteria` splits a registered criteria
text into inclusion and exclusion criteria; `member_state_code` names an EU/EEA member state by its ISO code.
"""

from opencro.formats.euctr.member_states import EEA_MEMBER_STATES, member_state_code
from opencro.formats.euctr.public_information import (
    CTIS_FIELDS,
    CTIS_PHASES,
    DOCUMENT_TYPE,
    eu_public_information,
    split_criteria,
)

__all__ = [
    "CTIS_FIELDS",
    "CTIS_PHASES",
    "DOCUMENT_TYPE",
    "EEA_MEMBER_STATES",
    "eu_public_information",
    "member_state_code",
    "split_criteria",
]
