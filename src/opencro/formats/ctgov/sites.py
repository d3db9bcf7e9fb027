"""Sites of ClinicalTrials.gov records as a registry matches them: a stable facility key and ISO country codes.

ClinicalTrials.gov spells a site as free text (facility, city, country). `facility_key` folds case, accents,
punctuation and spacing so that the same hospital written "Hôpital Saint-Louis" and "HOPITAL SAINT LOUIS" in two
records gets one key; sites without a facility name ("Birmingham, Alabama" in sponsor-masked records) are keyed by
city and country only, and are marked so (`is_anonymous_key`). `country_code` gives the ISO 3166-1 alpha-2 code
of a country as ClinicalTrials.gov names it (its location country list; former names kept as aliases).
"""

import re
import unicodedata

from opencro.formats.ctgov.model import Facility

ANONYMOUS = "~"  # the facility part of a key for a site published without a facility name
_NOT_WORD = re.compile(r"[^0-9a-z]+")

COUNTRY_CODES = {
    "Afghanistan": "AF", "Albania": "AL", "Algeria": "DZ", "Andorra": "AD", "Angola": "AO",
    "Argentina": "AR", "Armenia": "AM", "Australia": "AU", "Austria": "AT", "Azerbaijan": "AZ",
    "Bahamas": "BS", "Bahrain": "BH", "Bangladesh": "BD", "Barbados": "BB", "Belarus": "BY", "Belgium": "BE",
    "Belize": "BZ", "Benin": "BJ", "Bhutan": "BT", "Bolivia": "BO", "Bosnia and Herzegovina": "BA",
    "Botswana": "BW", "Brazil": "BR", "Brunei Darussalam": "BN", "Bulgaria": "BG", "Burkina Faso": "BF",
    "Burundi": "BI", "Cambodia": "KH", "Cameroon": "CM", "Canada": "CA", "Chad": "TD", "Chile": "CL",
    "China": "CN", "Colombia": "CO", "Congo": "CG", "Congo, The Democratic Republic of the": "CD",
    "Costa Rica": "CR", "Côte D'Ivoire": "CI", "Croatia": "HR", "Cuba": "CU", "Cyprus": "CY", "Czechia": "CZ",
    "Czech Republic": "CZ", "Denmark": "DK", "Dominican Republic": "DO", "Ecuador": "EC", "Egypt": "EG",
    "El Salvador": "SV", "Estonia": "EE", "Eswatini": "SZ", "Ethiopia": "ET", "Fiji": "FJ", "Finland": "FI",
    "France": "FR", "French Guiana": "GF", "Gabon": "GA", "Gambia": "GM", "Georgia": "GE", "Germany": "DE",
    "Ghana": "GH", "Greece": "GR", "Guadeloupe": "GP", "Guatemala": "GT", "Guinea": "GN", "Guinea-Bissau": "GW",
    "Haiti": "HT", "Honduras": "HN", "Hong Kong": "HK", "Hungary": "HU", "Iceland": "IS", "India": "IN",
    "Indonesia": "ID", "Iran, Islamic Republic of": "IR", "Iraq": "IQ", "Ireland": "IE", "Israel": "IL",
    "Italy": "IT", "Jamaica": "JM", "Japan": "JP", "Jordan": "JO", "Kazakhstan": "KZ", "Kenya": "KE",
    "Korea, Republic of": "KR", "Korea, Democratic People's Republic of": "KP", "Kosovo": "XK", "Kuwait": "KW",
    "Kyrgyzstan": "KG", "Lao People's Democratic Republic": "LA", "Latvia": "LV", "Lebanon": "LB",
    "Lesotho": "LS", "Liberia": "LR", "Libya": "LY", "Libyan Arab Jamahiriya": "LY", "Lithuania": "LT",
    "Luxembourg": "LU", "Macau": "MO", "Madagascar": "MG", "Malawi": "MW", "Malaysia": "MY", "Mali": "ML",
    "Malta": "MT", "Martinique": "MQ", "Mauritania": "MR", "Mauritius": "MU", "Mexico": "MX",
    "Moldova, Republic of": "MD", "Monaco": "MC", "Mongolia": "MN", "Montenegro": "ME", "Morocco": "MA",
    "Mozambique": "MZ", "Myanmar": "MM", "Namibia": "NA", "Nepal": "NP", "Netherlands": "NL",
    "New Caledonia": "NC", "New Zealand": "NZ", "Nicaragua": "NI", "Niger": "NE", "Nigeria": "NG",
    "North Macedonia": "MK", "Former Yugoslav Republic of Macedonia": "MK", "Macedonia, The Former Yugoslav "
    "Republic of": "MK", "Norway": "NO", "Oman": "OM", "Pakistan": "PK", "Palestinian Territory, occupied": "PS",
    "Panama": "PA", "Papua New Guinea": "PG", "Paraguay": "PY", "Peru": "PE", "Philippines": "PH", "Poland": "PL",
    "Portugal": "PT", "Puerto Rico": "PR", "Qatar": "QA", "Réunion": "RE", "Reunion": "RE", "Romania": "RO",
    "Russian Federation": "RU", "Rwanda": "RW", "Saudi Arabia": "SA", "Senegal": "SN", "Serbia": "RS",
    "Sierra Leone": "SL", "Singapore": "SG", "Slovakia": "SK", "Slovenia": "SI", "Somalia": "SO",
    "South Africa": "ZA", "South Sudan": "SS", "Spain": "ES", "Sri Lanka": "LK", "Sudan": "SD", "Suriname": "SR",
    "Sweden": "SE", "Switzerland": "CH", "Syrian Arab Republic": "SY", "Taiwan": "TW", "Tajikistan": "TJ",
    "Tanzania": "TZ", "Thailand": "TH", "Togo": "TG", "Trinidad and Tobago": "TT", "Tunisia": "TN",
    "Turkey": "TR", "Türkiye": "TR", "Turkmenistan": "TM", "Uganda": "UG", "Ukraine": "UA",
    "United Arab Emirates": "AE", "United Kingdom": "GB", "United States": "US", "Uruguay": "UY",
    "Uzbekistan": "UZ", "Venezuela": "VE", "Vietnam": "VN", "Viet Nam": "VN", "Yemen": "YE", "Zambia": "ZM",
    "Zimbabwe": "ZW", "San Marino": "SM", "Liechtenstein": "LI", "Greenland": "GL", "Guam": "GU",
}  # fmt: skip
_CODES_FOLDED = {name.casefold(): code for name, code in COUNTRY_CODES.items()}


def fold(text: str) -> str:
    """Lower case, no accents, runs of anything but letters and digits as one space."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return _NOT_WORD.sub(" ", plain).strip()


def facility_key(facility: Facility) -> str:
    """``facility|city|country`` folded; ``~|city|country`` for a site without a facility name."""
    name = fold(facility.name) or ANONYMOUS
    return f"{name}|{fold(facility.city)}|{fold(facility.country)}"


def is_anonymous_key(key: str) -> bool:
    return key.startswith(ANONYMOUS + "|")


def country_code(name: str) -> str:
    """The ISO 3166-1 alpha-2 code of a ClinicalTrials.gov country name; "" when unknown."""
    return _CODES_FOLDED.get(name.strip().casefold(), "")


def country_name(code: str) -> str:
    """The ClinicalTrials.gov name of an ISO alpha-2 code (its first name in the list); "" when unknown."""
    wanted = code.strip().upper()
    return next((name for name, c in COUNTRY_CODES.items() if c == wanted), "")
