"""The countries where a trial can be authorised through CTIS: the 27 EU member states and the EEA countries.

Regulation (EU) No 536/2014 applies in the EU and, incorporated in the EEA Agreement, in Iceland, Liechtenstein
and Norway, which take part in CTIS as "member states concerned" like the EU member states. Codes are ISO 3166-1
alpha-2; the EU's own code for Greece, "EL" (Interinstitutional Style Guide, section 7.1), is accepted as "GR".
"""

from opencro.formats.ctgov.sites import country_code

EEA_MEMBER_STATES = {
    "AT": "Austria", "BE": "Belgium", "BG": "Bulgaria", "HR": "Croatia", "CY": "Cyprus", "CZ": "Czechia",
    "DK": "Denmark", "EE": "Estonia", "FI": "Finland", "FR": "France", "DE": "Germany", "GR": "Greece",
    "HU": "Hungary", "IE": "Ireland", "IT": "Italy", "LV": "Latvia", "LT": "Lithuania", "LU": "Luxembourg",
    "MT": "Malta", "NL": "Netherlands", "PL": "Poland", "PT": "Portugal", "RO": "Romania", "SK": "Slovakia",
    "SI": "Slovenia", "ES": "Spain", "SE": "Sweden",
    "IS": "Iceland", "LI": "Liechtenstein", "NO": "Norway",
}  # fmt: skip
ALIASES = {"EL": "GR"}


def member_state_code(name_or_code: str) -> str:
    """The ISO code of an EU/EEA member state given by code ("de", "EL") or English name; "" when not one."""
    text = name_or_code.strip()
    upper = ALIASES.get(text.upper(), text.upper())
    if upper in EEA_MEMBER_STATES:
        return upper
    code = country_code(text)
    return code if code in EEA_MEMBER_STATES else ""
