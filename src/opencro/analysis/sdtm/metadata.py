"""The standard variables of the SDTM domains this engine builds, as SDTMIG v3.4 lists them.

Each domain's table gives, in SDTMIG order: variable name, label, type (Char/Num), core (Req, Exp,
Perm), the CDISC Controlled Terminology code list name (empty when none) and the role (I identifier,
T topic, G grouping qualifier, S synonym qualifier, R record qualifier, V variable qualifier, Q result
qualifier, M timing). Domains not listed here (EG, QS, CV, RP...) get the generic findings, events or
interventions variables of the SDTM model with their own prefix (`generic_domain`).

References: CDISC SDTM Implementation Guide v3.4 (2021), sections 5 (DM, SE, SV), 6.1-6.3 (AE, CM,
EX, DS, MH, VS, LB), 7 (TA, TE, TV, TI, TS) and 8 (RELREC, SUPPQUAL); CDISC SDTM v2.0 for the
generic observation-class variables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Core = Literal["Req", "Exp", "Perm"]
DomainClass = Literal["special purpose", "interventions", "events", "findings", "trial design", "relationship"]
DOMAIN_CLASSES: tuple[str, ...] = (
    "special purpose",
    "interventions",
    "events",
    "findings",
    "trial design",
    "relationship",
)
ROLES = {
    "I": "Identifier",
    "T": "Topic",
    "G": "Grouping Qualifier",
    "S": "Synonym Qualifier",
    "R": "Record Qualifier",
    "V": "Variable Qualifier",
    "Q": "Result Qualifier",
    "M": "Timing",
}


@dataclass(frozen=True)
class VariableMeta:
    """One standard variable of a domain: name, label, type, core, CT code list name and role."""

    name: str
    label: str
    type: Literal["Char", "Num"]
    core: Core
    codelist: str = ""
    role: str = ""
    order: int = 0


@dataclass(frozen=True)
class DomainMeta:
    """One domain: its name, label, class, structure, natural keys and variables in SDTMIG order."""

    name: str
    label: str
    domain_class: DomainClass
    structure: str
    keys: tuple[str, ...]
    variables: tuple[VariableMeta, ...]

    def variable(self, name: str) -> VariableMeta | None:
        """The standard variable called `name`, or None when the domain has none of that name."""
        for var in self.variables:
            if var.name == name:
                return var
        return None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.variables)


_IDS = """STUDYID|Study Identifier|C|Req||I
DOMAIN|Domain Abbreviation|C|Req|DOMAIN|I
USUBJID|Unique Subject Identifier|C|Req||I"""

_TABLES: dict[str, tuple[str, str, str, tuple[str, ...], str]] = {
    "DM": (
        "Demographics",
        "special purpose",
        "One record per subject",
        ("STUDYID", "USUBJID"),
        """SUBJID|Subject Identifier for the Study|C|Req||T
RFSTDTC|Subject Reference Start Date/Time|C|Exp||R
RFENDTC|Subject Reference End Date/Time|C|Exp||R
RFXSTDTC|Date/Time of First Study Treatment|C|Exp||R
RFXENDTC|Date/Time of Last Study Treatment|C|Exp||R
RFICDTC|Date/Time of Informed Consent|C|Exp||R
RFPENDTC|Date/Time of End of Participation|C|Exp||R
DTHDTC|Date/Time of Death|C|Exp||R
DTHFL|Subject Death Flag|C|Exp|NY|R
SITEID|Study Site Identifier|C|Req||R
INVID|Investigator Identifier|C|Perm||R
INVNAM|Investigator Name|C|Perm||S
BRTHDTC|Date/Time of Birth|C|Perm||R
AGE|Age|N|Exp||R
AGEU|Age Units|C|Exp|AGEU|V
SEX|Sex|C|Req|SEX|R
RACE|Race|C|Exp|RACE|R
ETHNIC|Ethnicity|C|Perm|ETHNIC|R
ARMCD|Planned Arm Code|C|Exp||R
ARM|Description of Planned Arm|C|Exp||S
ACTARMCD|Actual Arm Code|C|Exp||R
ACTARM|Description of Actual Arm|C|Exp||S
ARMNRS|Reason Arm and/or Actual Arm is Null|C|Exp|ARMNULRS|R
ACTARMUD|Description of Unplanned Actual Arm|C|Exp||S
COUNTRY|Country|C|Req|COUNTRY|R
DMDTC|Date/Time of Collection|C|Perm||M
DMDY|Study Day of Collection|N|Perm||M""",
    ),
    "AE": (
        "Adverse Events",
        "events",
        "One record per adverse event per subject",
        ("STUDYID", "USUBJID", "AEDECOD", "AESTDTC"),
        """AESEQ|Sequence Number|N|Req||I
AEGRPID|Group ID|C|Perm||I
AEREFID|Reference ID|C|Perm||I
AESPID|Sponsor-Defined Identifier|C|Perm||I
AETERM|Reported Term for the Adverse Event|C|Req||T
AEMODIFY|Modified Reported Term|C|Perm||S
AELLT|Lowest Level Term|C|Exp|MedDRA|V
AELLTCD|Lowest Level Term Code|N|Exp|MedDRA|V
AEDECOD|Dictionary-Derived Term|C|Req|MedDRA|S
AEPTCD|Preferred Term Code|N|Exp|MedDRA|V
AEHLT|High Level Term|C|Exp|MedDRA|V
AEHLTCD|High Level Term Code|N|Exp|MedDRA|V
AEHLGT|High Level Group Term|C|Exp|MedDRA|V
AEHLGTCD|High Level Group Term Code|N|Exp|MedDRA|V
AECAT|Category for Adverse Event|C|Perm||G
AESCAT|Subcategory for Adverse Event|C|Perm||G
AEPRESP|Pre-Specified Adverse Event|C|Perm|NY|V
AEBODSYS|Body System or Organ Class|C|Exp|MedDRA|R
AEBDSYCD|Body System or Organ Class Code|N|Exp|MedDRA|V
AESOC|Primary System Organ Class|C|Exp|MedDRA|V
AESOCCD|Primary System Organ Class Code|N|Exp|MedDRA|V
AELOC|Location of Event|C|Perm|LOC|R
AESEV|Severity/Intensity|C|Perm|AESEV|R
AESER|Serious Event|C|Exp|NY|R
AEACN|Action Taken with Study Treatment|C|Exp|ACN|R
AEACNOTH|Other Action Taken|C|Perm||R
AEREL|Causality|C|Exp||R
AERELNST|Relationship to Non-Study Treatment|C|Perm||R
AEPATT|Pattern of Adverse Event|C|Perm||R
AEOUT|Outcome of Adverse Event|C|Perm|OUT|R
AESCAN|Involves Cancer|C|Perm|NY|R
AESCONG|Congenital Anomaly or Birth Defect|C|Perm|NY|R
AESDISAB|Persist or Signif Disability/Incapacity|C|Perm|NY|R
AESDTH|Results in Death|C|Perm|NY|R
AESHOSP|Requires or Prolongs Hospitalization|C|Perm|NY|R
AESLIFE|Is Life Threatening|C|Perm|NY|R
AESOD|Occurred with Overdose|C|Perm|NY|R
AESMIE|Other Medically Important Serious Event|C|Perm|NY|R
AECONTRT|Concomitant or Additional Trtmnt Given|C|Perm|NY|R
AETOXGR|Standard Toxicity Grade|C|Perm||R
EPOCH|Epoch|C|Perm|EPOCH|M
AESTDTC|Start Date/Time of Adverse Event|C|Exp||M
AEENDTC|End Date/Time of Adverse Event|C|Exp||M
AESTDY|Study Day of Start of Adverse Event|N|Perm||M
AEENDY|Study Day of End of Adverse Event|N|Perm||M
AEDUR|Duration of Adverse Event|C|Perm||M
AEENRTPT|End Relative to Reference Time Point|C|Perm|STENRF|M
AEENTPT|End Reference Time Point|C|Perm||M""",
    ),
    "CM": (
        "Concomitant/Concurrent Medications",
        "interventions",
        "One record per recorded intervention occurrence or constant-dosing interval per subject",
        ("STUDYID", "USUBJID", "CMTRT", "CMSTDTC"),
        """CMSEQ|Sequence Number|N|Req||I
CMGRPID|Group ID|C|Perm||I
CMSPID|Sponsor-Defined Identifier|C|Perm||I
CMTRT|Reported Name of Drug, Med, or Therapy|C|Req||T
CMMODIFY|Modified Reported Name|C|Perm||S
CMDECOD|Standardized Medication Name|C|Perm|WHODrug|S
CMCAT|Category for Medication|C|Perm||G
CMSCAT|Subcategory for Medication|C|Perm||G
CMPRESP|CM Pre-specified|C|Perm|NY|V
CMOCCUR|CM Occurrence|C|Perm|NY|R
CMSTAT|Completion Status|C|Perm|ND|R
CMREASND|Reason Medication Not Collected|C|Perm||R
CMINDC|Indication|C|Perm||R
CMCLAS|Medication Class|C|Perm||V
CMCLASCD|Medication Class Code|C|Perm||V
CMDOSE|Dose per Administration|N|Perm||R
CMDOSTXT|Dose Description|C|Perm||R
CMDOSU|Dose Units|C|Perm|UNIT|V
CMDOSFRM|Dose Form|C|Perm|FRM|V
CMDOSFRQ|Dosing Frequency per Interval|C|Perm|FREQ|V
CMDOSTOT|Total Daily Dose|N|Perm||V
CMROUTE|Route of Administration|C|Perm|ROUTE|V
EPOCH|Epoch|C|Perm|EPOCH|M
CMSTDTC|Start Date/Time of Medication|C|Perm||M
CMENDTC|End Date/Time of Medication|C|Perm||M
CMSTDY|Study Day of Start of Medication|N|Perm||M
CMENDY|Study Day of End of Medication|N|Perm||M
CMDUR|Duration of Medication|C|Perm||M
CMSTRTPT|Start Relative to Reference Time Point|C|Perm|STENRF|M
CMSTTPT|Start Reference Time Point|C|Perm||M
CMENRTPT|End Relative to Reference Time Point|C|Perm|STENRF|M
CMENTPT|End Reference Time Point|C|Perm||M""",
    ),
    "EX": (
        "Exposure",
        "interventions",
        "One record per constant dosing interval per subject",
        ("STUDYID", "USUBJID", "EXTRT", "EXSTDTC"),
        """EXSEQ|Sequence Number|N|Req||I
EXGRPID|Group ID|C|Perm||I
EXREFID|Reference ID|C|Perm||I
EXSPID|Sponsor-Defined Identifier|C|Perm||I
EXLNKID|Link ID|C|Perm||I
EXTRT|Name of Treatment|C|Req||T
EXCAT|Category of Treatment|C|Perm||G
EXSCAT|Subcategory of Treatment|C|Perm||G
EXDOSE|Dose|N|Exp||R
EXDOSTXT|Dose Description|C|Perm||R
EXDOSU|Dose Units|C|Exp|UNIT|V
EXDOSFRM|Dose Form|C|Exp|FRM|V
EXDOSFRQ|Dosing Frequency per Interval|C|Perm|FREQ|V
EXDOSRGM|Intended Dose Regimen|C|Perm||V
EXROUTE|Route of Administration|C|Perm|ROUTE|V
EXLOT|Lot Number|C|Perm||R
EXLOC|Location of Dose Administration|C|Perm|LOC|R
EXTRTV|Treatment Vehicle|C|Perm||R
EXADJ|Reason for Dose Adjustment|C|Perm||R
VISITNUM|Visit Number|N|Perm||M
VISIT|Visit Name|C|Perm||M
EPOCH|Epoch|C|Perm|EPOCH|M
EXSTDTC|Start Date/Time of Treatment|C|Exp||M
EXENDTC|End Date/Time of Treatment|C|Exp||M
EXSTDY|Study Day of Start of Treatment|N|Perm||M
EXENDY|Study Day of End of Treatment|N|Perm||M
EXDUR|Duration of Treatment|C|Perm||M""",
    ),
    "DS": (
        "Disposition",
        "events",
        "One record per disposition status or protocol milestone per subject",
        ("STUDYID", "USUBJID", "DSDECOD", "DSSTDTC"),
        """DSSEQ|Sequence Number|N|Req||I
DSGRPID|Group ID|C|Perm||I
DSREFID|Reference ID|C|Perm||I
DSSPID|Sponsor-Defined Identifier|C|Perm||I
DSTERM|Reported Term for the Disposition Event|C|Req||T
DSDECOD|Standardized Disposition Term|C|Req|NCOMPLT|S
DSCAT|Category for Disposition Event|C|Perm|DSCAT|G
DSSCAT|Subcategory for Disposition Event|C|Perm||G
VISITNUM|Visit Number|N|Perm||M
VISIT|Visit Name|C|Perm||M
EPOCH|Epoch|C|Perm|EPOCH|M
DSDTC|Date/Time of Collection|C|Perm||M
DSSTDTC|Start Date/Time of Disposition Event|C|Exp||M
DSDY|Study Day of Collection|N|Perm||M
DSSTDY|Study Day of Start of Disposition Event|N|Perm||M""",
    ),
    "MH": (
        "Medical History",
        "events",
        "One record per medical history event per subject",
        ("STUDYID", "USUBJID", "MHDECOD", "MHSTDTC"),
        """MHSEQ|Sequence Number|N|Req||I
MHGRPID|Group ID|C|Perm||I
MHREFID|Reference ID|C|Perm||I
MHSPID|Sponsor-Defined Identifier|C|Perm||I
MHTERM|Reported Term for the Medical History|C|Req||T
MHMODIFY|Modified Reported Term|C|Perm||S
MHDECOD|Dictionary-Derived Term|C|Perm|MedDRA|S
MHCAT|Category for Medical History|C|Perm||G
MHSCAT|Subcategory for Medical History|C|Perm||G
MHPRESP|Medical History Event Pre-Specified|C|Perm|NY|V
MHOCCUR|Medical History Occurrence|C|Perm|NY|R
MHSTAT|Completion Status|C|Perm|ND|R
MHREASND|Reason Medical History Not Collected|C|Perm||R
MHBODSYS|Body System or Organ Class|C|Perm|MedDRA|R
MHSEV|Severity/Intensity|C|Perm||R
VISITNUM|Visit Number|N|Perm||M
VISIT|Visit Name|C|Perm||M
EPOCH|Epoch|C|Perm|EPOCH|M
MHDTC|Date/Time of History Collection|C|Perm||M
MHSTDTC|Start Date/Time of Medical History Event|C|Perm||M
MHENDTC|End Date/Time of Medical History Event|C|Perm||M
MHDY|Study Day of History Collection|N|Perm||M
MHENRF|End Relative to Reference Period|C|Perm|STENRF|M
MHENRTPT|End Relative to Reference Time Point|C|Perm|STENRF|M
MHENTPT|End Reference Time Point|C|Perm||M""",
    ),
    "VS": (
        "Vital Signs",
        "findings",
        "One record per vital sign measurement per time point per visit per subject",
        ("STUDYID", "USUBJID", "VSTESTCD", "VISITNUM", "VSDTC"),
        """VSSEQ|Sequence Number|N|Req||I
VSGRPID|Group ID|C|Perm||I
VSSPID|Sponsor-Defined Identifier|C|Perm||I
VSTESTCD|Vital Signs Test Short Name|C|Req|VSTESTCD|T
VSTEST|Vital Signs Test Name|C|Req|VSTEST|S
VSCAT|Category for Vital Signs|C|Perm||G
VSSCAT|Subcategory for Vital Signs|C|Perm||G
VSPOS|Vital Signs Position of Subject|C|Perm|POSITION|R
VSORRES|Result or Finding in Original Units|C|Exp||Q
VSORRESU|Original Units|C|Exp|VSRESU|V
VSSTRESC|Character Result/Finding in Std Format|C|Exp||Q
VSSTRESN|Numeric Result/Finding in Standard Units|N|Exp||Q
VSSTRESU|Standard Units|C|Exp|VSRESU|V
VSSTAT|Completion Status|C|Perm|ND|R
VSREASND|Reason Not Performed|C|Perm||R
VSLOC|Location of Vital Signs Measurement|C|Perm|LOC|R
VSLAT|Laterality|C|Perm|LAT|V
VSLOBXFL|Last Observation Before Exposure Flag|C|Exp|NY|R
VSBLFL|Baseline Flag|C|Perm|NY|R
VSDRVFL|Derived Flag|C|Perm|NY|R
VISITNUM|Visit Number|N|Exp||M
VISIT|Visit Name|C|Perm||M
VISITDY|Planned Study Day of Visit|N|Perm||M
EPOCH|Epoch|C|Perm|EPOCH|M
VSDTC|Date/Time of Measurements|C|Exp||M
VSDY|Study Day of Vital Signs|N|Perm||M
VSTPT|Planned Time Point Name|C|Perm||M
VSTPTNUM|Planned Time Point Number|N|Perm||M""",
    ),
    "LB": (
        "Laboratory Test Results",
        "findings",
        "One record per lab test per time point per visit per subject",
        ("STUDYID", "USUBJID", "LBTESTCD", "LBSPEC", "VISITNUM", "LBDTC"),
        """LBSEQ|Sequence Number|N|Req||I
LBGRPID|Group ID|C|Perm||I
LBREFID|Specimen ID|C|Perm||I
LBSPID|Sponsor-Defined Identifier|C|Perm||I
LBTESTCD|Lab Test or Examination Short Name|C|Req|LBTESTCD|T
LBTEST|Lab Test or Examination Name|C|Req|LBTEST|S
LBCAT|Category for Lab Test|C|Exp||G
LBSCAT|Subcategory for Lab Test|C|Perm||G
LBORRES|Result or Finding in Original Units|C|Exp||Q
LBORRESU|Original Units|C|Exp|UNIT|V
LBORNRLO|Reference Range Lower Limit in Orig Unit|C|Exp||V
LBORNRHI|Reference Range Upper Limit in Orig Unit|C|Exp||V
LBSTRESC|Character Result/Finding in Std Format|C|Exp||Q
LBSTRESN|Numeric Result/Finding in Standard Units|N|Exp||Q
LBSTRESU|Standard Units|C|Exp|UNIT|V
LBSTNRLO|Reference Range Lower Limit-Std Units|N|Exp||V
LBSTNRHI|Reference Range Upper Limit-Std Units|N|Exp||V
LBNRIND|Reference Range Indicator|C|Exp|NRIND|V
LBSTAT|Completion Status|C|Perm|ND|R
LBREASND|Reason Test Not Done|C|Perm||R
LBNAM|Vendor Name|C|Perm||R
LBSPEC|Specimen Type|C|Perm|SPECTYPE|R
LBMETHOD|Method of Test or Examination|C|Perm|METHOD|R
LBLOBXFL|Last Observation Before Exposure Flag|C|Exp|NY|R
LBBLFL|Baseline Flag|C|Perm|NY|R
LBFAST|Fasting Status|C|Perm|NY|R
LBDRVFL|Derived Flag|C|Perm|NY|R
VISITNUM|Visit Number|N|Exp||M
VISIT|Visit Name|C|Perm||M
VISITDY|Planned Study Day of Visit|N|Perm||M
EPOCH|Epoch|C|Perm|EPOCH|M
LBDTC|Date/Time of Specimen Collection|C|Exp||M
LBENDTC|End Date/Time of Specimen Collection|C|Perm||M
LBDY|Study Day of Specimen Collection|N|Perm||M
LBTPT|Planned Time Point Name|C|Perm||M
LBTPTNUM|Planned Time Point Number|N|Perm||M""",
    ),
    "SV": (
        "Subject Visits",
        "special purpose",
        "One record per actual or planned visit per subject",
        ("STUDYID", "USUBJID", "VISITNUM"),
        """VISITNUM|Visit Number|N|Req||T
VISIT|Visit Name|C|Perm||S
VISITDY|Planned Study Day of Visit|N|Perm||R
SVPRESP|Pre-specified|C|Perm|NY|V
SVOCCUR|Occurrence|C|Perm|NY|R
SVREASOC|Reason for Occur Value|C|Perm||R
EPOCH|Epoch|C|Perm|EPOCH|M
SVSTDTC|Start Date/Time of Observation|C|Exp||M
SVENDTC|End Date/Time of Observation|C|Exp||M
SVSTDY|Study Day of Start of Observation|N|Perm||M
SVENDY|Study Day of End of Observation|N|Perm||M
SVUPDES|Description of Unplanned Visit|C|Perm||S""",
    ),
    "SE": (
        "Subject Elements",
        "special purpose",
        "One record per actual Element per subject",
        ("STUDYID", "USUBJID", "ETCD", "SESTDTC"),
        """SESEQ|Sequence Number|N|Req||I
ETCD|Element Code|C|Req||T
ELEMENT|Description of Element|C|Perm||S
TAETORD|Planned Order of Element within Arm|N|Perm||M
EPOCH|Epoch|C|Perm|EPOCH|M
SESTDTC|Start Date/Time of Element|C|Req||M
SEENDTC|End Date/Time of Element|C|Exp||M
SESTDY|Study Day of Start of Element|N|Perm||M
SEENDY|Study Day of End of Element|N|Perm||M
SEUPDES|Description of Unplanned Element|C|Perm||S""",
    ),
}

_TRIAL_DESIGN: dict[str, tuple[str, str, tuple[str, ...], str]] = {
    "TA": (
        "Trial Arms",
        "One record per planned Element per Arm",
        ("STUDYID", "ARMCD", "TAETORD"),
        """ARMCD|Planned Arm Code|C|Req||T
ARM|Description of Planned Arm|C|Req||S
TAETORD|Planned Order of Element within Arm|N|Req||M
ETCD|Element Code|C|Req||R
ELEMENT|Description of Element|C|Perm||S
TABRANCH|Branch|C|Exp||M
TATRANS|Transition Rule|C|Exp||M
EPOCH|Epoch|C|Req|EPOCH|M""",
    ),
    "TE": (
        "Trial Elements",
        "One record per planned Element",
        ("STUDYID", "ETCD"),
        """ETCD|Element Code|C|Req||T
ELEMENT|Description of Element|C|Req||S
TESTRL|Rule for Start of Element|C|Req||R
TEENRL|Rule for End of Element|C|Perm||R
TEDUR|Planned Duration of Element|C|Perm||M""",
    ),
    "TV": (
        "Trial Visits",
        "One record per planned Visit per Arm",
        ("STUDYID", "VISITNUM", "ARMCD"),
        """VISITNUM|Visit Number|N|Req||T
VISIT|Visit Name|C|Perm||S
VISITDY|Planned Study Day of Visit|N|Perm||M
ARMCD|Planned Arm Code|C|Exp||R
ARM|Description of Planned Arm|C|Perm||S
TVSTRL|Visit Start Rule|C|Req||R
TVENRL|Visit End Rule|C|Perm||R""",
    ),
    "TI": (
        "Trial Inclusion/Exclusion Criteria",
        "One record per I/E criterion",
        ("STUDYID", "IETESTCD", "TIVERS"),
        """IETESTCD|Incl/Excl Criterion Short Name|C|Req||T
IETEST|Inclusion/Exclusion Criterion|C|Req||S
IECAT|Inclusion/Exclusion Category|C|Req|IECAT|G
IESCAT|Inclusion/Exclusion Subcategory|C|Perm||G
TIRL|Inclusion/Exclusion Criterion Rule|C|Perm||R
TIVERS|Protocol Criteria Versions|C|Perm||R""",
    ),
    "TS": (
        "Trial Summary",
        "One record per trial summary parameter value",
        ("STUDYID", "TSPARMCD", "TSSEQ"),
        """TSSEQ|Sequence Number|N|Req||I
TSGRPID|Group ID|C|Perm||I
TSPARMCD|Trial Summary Parameter Short Name|C|Req|TSPARMCD|T
TSPARM|Trial Summary Parameter|C|Req|TSPARM|S
TSVAL|Parameter Value|C|Exp||Q
TSVALNF|Parameter Null Flavor|C|Perm|ISO 21090 NullFlavor|Q
TSVALCD|Parameter Value Code|C|Exp||Q
TSVCDREF|Name of the Reference Terminology|C|Exp||Q
TSVCDVER|Version of the Reference Terminology|C|Exp||Q""",
    ),
}

_SUPPQUAL = """STUDYID|Study Identifier|C|Req||I
RDOMAIN|Related Domain Abbreviation|C|Req|DOMAIN|I
USUBJID|Unique Subject Identifier|C|Req||I
IDVAR|Identifying Variable|C|Exp|IDVAR|I
IDVARVAL|Identifying Variable Value|C|Exp||I
QNAM|Qualifier Variable Name|C|Req||T
QLABEL|Qualifier Variable Label|C|Req||S
QVAL|Data Value|C|Req||Q
QORIG|Origin|C|Req||R
QEVAL|Evaluator|C|Exp|EVAL|R"""

_RELREC = """STUDYID|Study Identifier|C|Req||I
RDOMAIN|Related Domain Abbreviation|C|Req|DOMAIN|I
USUBJID|Unique Subject Identifier|C|Exp||I
IDVAR|Identifying Variable|C|Req|IDVAR|I
IDVARVAL|Identifying Variable Value|C|Exp||I
RELTYPE|Relationship Type|C|Exp|RELTYPE|I
RELID|Relationship Identifier|C|Req||I"""

#: Generic observation-class variables (SDTM v2.0) for domains without a table here; "--" is the prefix.
_GENERIC: dict[str, tuple[str, str, tuple[str, ...], str]] = {
    "findings": (
        "One record per test per visit per subject",
        "--TESTCD",
        ("STUDYID", "USUBJID", "--TESTCD", "VISITNUM", "--DTC"),
        """--SEQ|Sequence Number|N|Req||I
--GRPID|Group ID|C|Perm||I
--SPID|Sponsor-Defined Identifier|C|Perm||I
--TESTCD|Short Name of Measurement, Test or Exam|C|Req||T
--TEST|Name of Measurement, Test or Examination|C|Req||S
--CAT|Category|C|Perm||G
--SCAT|Subcategory|C|Perm||G
--POS|Position of Subject During Observation|C|Perm|POSITION|R
--ORRES|Result or Finding in Original Units|C|Exp||Q
--ORRESU|Original Units|C|Exp|UNIT|V
--STRESC|Character Result/Finding in Std Format|C|Exp||Q
--STRESN|Numeric Result/Finding in Standard Units|N|Exp||Q
--STRESU|Standard Units|C|Exp|UNIT|V
--STAT|Completion Status|C|Perm|ND|R
--REASND|Reason Not Done|C|Perm||R
--LOC|Location Used for the Measurement|C|Perm|LOC|R
--LOBXFL|Last Observation Before Exposure Flag|C|Exp|NY|R
--BLFL|Baseline Flag|C|Perm|NY|R
--DRVFL|Derived Flag|C|Perm|NY|R
VISITNUM|Visit Number|N|Exp||M
VISIT|Visit Name|C|Perm||M
VISITDY|Planned Study Day of Visit|N|Perm||M
EPOCH|Epoch|C|Perm|EPOCH|M
--DTC|Date/Time of Collection|C|Exp||M
--DY|Study Day of Visit/Collection/Exam|N|Perm||M""",
    ),
    "events": (
        "One record per event per subject",
        "--TERM",
        ("STUDYID", "USUBJID", "--TERM", "--STDTC"),
        """--SEQ|Sequence Number|N|Req||I
--GRPID|Group ID|C|Perm||I
--SPID|Sponsor-Defined Identifier|C|Perm||I
--TERM|Reported Term|C|Req||T
--DECOD|Dictionary-Derived Term|C|Perm||S
--CAT|Category|C|Perm||G
--SCAT|Subcategory|C|Perm||G
--PRESP|Pre-Specified|C|Perm|NY|V
--OCCUR|Occurrence|C|Perm|NY|R
--STAT|Completion Status|C|Perm|ND|R
--REASND|Reason Not Collected|C|Perm||R
--SEV|Severity/Intensity|C|Perm||R
VISITNUM|Visit Number|N|Perm||M
VISIT|Visit Name|C|Perm||M
EPOCH|Epoch|C|Perm|EPOCH|M
--DTC|Date/Time of Event Collection|C|Perm||M
--STDTC|Start Date/Time of Event|C|Perm||M
--ENDTC|End Date/Time of Event|C|Perm||M
--DY|Study Day of Event Collection|N|Perm||M
--STDY|Study Day of Start of Event|N|Perm||M
--ENDY|Study Day of End of Event|N|Perm||M
--ENRTPT|End Relative to Reference Time Point|C|Perm|STENRF|M
--ENTPT|End Reference Time Point|C|Perm||M""",
    ),
    "interventions": (
        "One record per intervention per subject",
        "--TRT",
        ("STUDYID", "USUBJID", "--TRT", "--STDTC"),
        """--SEQ|Sequence Number|N|Req||I
--GRPID|Group ID|C|Perm||I
--SPID|Sponsor-Defined Identifier|C|Perm||I
--TRT|Name of Treatment|C|Req||T
--DECOD|Standardized Treatment Name|C|Perm||S
--CAT|Category|C|Perm||G
--SCAT|Subcategory|C|Perm||G
--PRESP|Pre-Specified|C|Perm|NY|V
--OCCUR|Occurrence|C|Perm|NY|R
--STAT|Completion Status|C|Perm|ND|R
--REASND|Reason Not Collected|C|Perm||R
--DOSE|Dose|N|Perm||R
--DOSU|Dose Units|C|Perm|UNIT|V
--DOSFRQ|Dosing Frequency per Interval|C|Perm|FREQ|V
--ROUTE|Route of Administration|C|Perm|ROUTE|V
VISITNUM|Visit Number|N|Perm||M
VISIT|Visit Name|C|Perm||M
EPOCH|Epoch|C|Perm|EPOCH|M
--DTC|Date/Time of Collection|C|Perm||M
--STDTC|Start Date/Time of Treatment|C|Perm||M
--ENDTC|End Date/Time of Treatment|C|Perm||M
--DY|Study Day of Collection|N|Perm||M
--STDY|Study Day of Start of Treatment|N|Perm||M
--ENDY|Study Day of End of Treatment|N|Perm||M
--ENRTPT|End Relative to Reference Time Point|C|Perm|STENRF|M
--ENTPT|End Reference Time Point|C|Perm||M""",
    ),
}


def _parse(table: str, prefix: str = "") -> tuple[VariableMeta, ...]:
    out = []
    for order, line in enumerate(table.strip().splitlines(), 1):
        name, label, kind, core, codelist, role = line.split("|")
        out.append(
            VariableMeta(
                name=name.replace("--", prefix),
                label=label,
                type="Num" if kind == "N" else "Char",
                core=core,  # type: ignore[arg-type]
                codelist=codelist,
                role=ROLES[role],
                order=order,
            )
        )
    return tuple(out)


def _renumber(variables: tuple[VariableMeta, ...]) -> tuple[VariableMeta, ...]:
    return tuple(
        VariableMeta(v.name, v.label, v.type, v.core, v.codelist, v.role, n) for n, v in enumerate(variables, 1)
    )


def _build() -> dict[str, DomainMeta]:
    ids = _parse(_IDS)
    out: dict[str, DomainMeta] = {}
    for name, (label, cls, structure, keys, table) in _TABLES.items():
        out[name] = DomainMeta(name, label, cls, structure, keys, _renumber(ids + _parse(table)))  # type: ignore[arg-type]
    study_domain = ids[:2]
    for name, (label, structure, keys, table) in _TRIAL_DESIGN.items():
        out[name] = DomainMeta(name, label, "trial design", structure, keys, _renumber(study_domain + _parse(table)))
    out["SUPPQUAL"] = DomainMeta(
        "SUPPQUAL",
        "Supplemental Qualifiers",
        "relationship",
        "One record per supplemental qualifier per related parent domain record",
        ("STUDYID", "RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL", "QNAM"),
        _parse(_SUPPQUAL),
    )
    out["RELREC"] = DomainMeta(
        "RELREC",
        "Related Records",
        "relationship",
        "One record per related record, group of records or dataset",
        ("STUDYID", "RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL", "RELID"),
        _parse(_RELREC),
    )
    return out


#: The standard domains by name (plus "SUPPQUAL" for every SUPP-- dataset and "RELREC").
STANDARD_DOMAINS: dict[str, DomainMeta] = _build()


def generic_domain(name: str, domain_class: str, label: str) -> DomainMeta:
    """The variables of a domain of the findings, events or interventions class that has no table here."""
    if domain_class not in _GENERIC:
        raise KeyError(f"no generic variables for class {domain_class!r} (domain {name})")
    structure, _topic, keys, table = _GENERIC[domain_class]
    variables = _renumber(_parse(_IDS) + _parse(table, prefix=name))
    return DomainMeta(name, label, domain_class, structure, tuple(k.replace("--", name) for k in keys), variables)  # type: ignore[arg-type]


def domain_meta(name: str, domain_class: str = "", label: str = "") -> DomainMeta:
    """The metadata of domain `name`: its SDTMIG table, SUPPQUAL for SUPP--, else the generic class variables."""
    if name in STANDARD_DOMAINS:
        return STANDARD_DOMAINS[name]
    if name.startswith("SUPP"):
        base = STANDARD_DOMAINS["SUPPQUAL"]
        return DomainMeta(
            name, f"Supplemental Qualifiers for {name[4:]}", "relationship", base.structure, base.keys, base.variables
        )
    return generic_domain(name, domain_class, label or name)
