"""Namespaces, OIDs and discriminating codes of ICH E2B(R3) and FDA's regional elements.

Source: ICH E2B(R3) Implementation Guide (ICH ICSR code lists 2.16.840.1.113883.3.989.2.1.1.x, identifiers
2.16.840.1.113883.3.989.2.1.3.x) and FDA's "Regional Implementation Specifications for ICH E2B(R3)" data-element
table (regional OIDs 2.16.840.1.113883.3.989.5.1.2.x, NCI thesaurus codes), as in icsr_data_elements.csv and FDA's
example instances FAERS2022Scenario1-8.
"""

HL7_NS = "urn:hl7-org:v3"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

# identifiers (II roots)
OID_MESSAGE_ID = "2.16.840.1.113883.3.989.2.1.3.1"  # N.2.r.1 and C.1.1
OID_WORLDWIDE_ID = "2.16.840.1.113883.3.989.2.1.3.2"  # C.1.8.1, C.1.10.r
OID_OTHER_CASE_ID = "2.16.840.1.113883.3.989.2.1.3.3"  # C.1.9.1.r
OID_AUTHORISATION_NUMBER = "2.16.840.1.113883.3.989.2.1.3.4"  # G.k.3.1
OID_SPONSOR_STUDY_NUMBER = "2.16.840.1.113883.3.989.2.1.3.5"  # C.5.3
OID_STUDY_REGISTRATION = "2.16.840.1.113883.3.989.2.1.3.6"  # C.5.1.r.1
OID_RECORD_GP = "2.16.840.1.113883.3.989.2.1.3.7"  # D.1.1.1
OID_RECORD_SPECIALIST = "2.16.840.1.113883.3.989.2.1.3.8"  # D.1.1.2
OID_RECORD_HOSPITAL = "2.16.840.1.113883.3.989.2.1.3.9"  # D.1.1.3
OID_RECORD_INVESTIGATION = "2.16.840.1.113883.3.989.2.1.3.10"  # D.1.1.4
OID_MESSAGE_SENDER = "2.16.840.1.113883.3.989.2.1.3.11"  # N.2.r.2
OID_MESSAGE_RECEIVER = "2.16.840.1.113883.3.989.2.1.3.12"  # N.2.r.3
OID_BATCH_SENDER = "2.16.840.1.113883.3.989.2.1.3.13"  # N.1.3
OID_BATCH_RECEIVER = "2.16.840.1.113883.3.989.2.1.3.14"  # N.1.4
OID_BATCH_NUMBER = "2.16.840.1.113883.3.989.2.1.3.22"  # N.1.2
OID_FDA_IND_NUMBER = "2.16.840.1.113883.3.989.5.1.2.2.1.2.1"  # FDA.C.5.5a
OID_FDA_PRE_ANDA_NUMBER = "2.16.840.1.113883.3.989.5.1.2.2.1.2.2"  # FDA.C.5.5b
OID_FDA_CROSS_REPORTED_IND = "2.16.840.1.113883.3.989.5.1.2.2.1.2.3"  # FDA.C.5.6.r

RECORD_NUMBER_OIDS = {
    "1": OID_RECORD_GP,
    "2": OID_RECORD_SPECIALIST,
    "3": OID_RECORD_HOSPITAL,
    "4": OID_RECORD_INVESTIGATION,
}

# ICH code lists
OID_MESSAGE_TYPE = "2.16.840.1.113883.3.989.2.1.1.1"  # N.1.1
OID_REPORT_TYPE = "2.16.840.1.113883.3.989.2.1.1.2"  # C.1.3
OID_FIRST_SENDER = "2.16.840.1.113883.3.989.2.1.1.3"  # C.1.8.2
OID_RECORD_SOURCE = "2.16.840.1.113883.3.989.2.1.1.4"  # D.1.1.x
OID_NULLIFICATION = "2.16.840.1.113883.3.989.2.1.1.5"  # C.1.11.1
OID_QUALIFICATION = "2.16.840.1.113883.3.989.2.1.1.6"  # C.2.r.4
OID_SENDER_TYPE = "2.16.840.1.113883.3.989.2.1.1.7"  # C.3.1
OID_STUDY_TYPE = "2.16.840.1.113883.3.989.2.1.1.8"  # C.5.4
OID_AGE_GROUP = "2.16.840.1.113883.3.989.2.1.1.9"  # D.2.3
OID_TERM_HIGHLIGHTED = "2.16.840.1.113883.3.989.2.1.1.10"  # E.i.3.1
OID_OUTCOME = "2.16.840.1.113883.3.989.2.1.1.11"  # E.i.7
OID_TEST_RESULT = "2.16.840.1.113883.3.989.2.1.1.12"  # F.r.3.1
OID_ICH_CHARACTERISATION = "2.16.840.1.113883.3.989.2.1.1.13"  # G.k.1
OID_ACTION_TAKEN = "2.16.840.1.113883.3.989.2.1.1.15"  # G.k.8
OID_RECURRENCE = "2.16.840.1.113883.3.989.2.1.1.16"  # G.k.9.i.4
OID_ICH_ADDITIONAL_INFO = "2.16.840.1.113883.3.989.2.1.1.17"  # G.k.10.r
OID_ICH_PRODUCT_EVENT = "2.16.840.1.113883.3.989.2.1.1.18"  # G.k.2.4 (retail supply)
OID_ICH_OBSERVATION = "2.16.840.1.113883.3.989.2.1.1.19"  # observation codes
OID_ICH_ORGANIZER = "2.16.840.1.113883.3.989.2.1.1.20"  # organizer codes
OID_ICH_AUTHOR = "2.16.840.1.113883.3.989.2.1.1.21"  # author role codes (sender / reporter / source reporter)
OID_ICH_INVESTIGATION = "2.16.840.1.113883.3.989.2.1.1.22"  # related investigation (initial / source report)
OID_ICH_CHARACTERISTIC = "2.16.840.1.113883.3.989.2.1.1.23"  # investigation characteristics
OID_ICH_DOCUMENT = "2.16.840.1.113883.3.989.2.1.1.27"  # documents held / literature

OID_MEDDRA = "2.16.840.1.113883.6.163"
OID_ISO_COUNTRY = "1.0.3166.1.2.2"
OID_ISO_SEX = "1.0.5218"
OID_NCI = "2.16.840.1.113883.3.26.1.1"
OID_HL7_ACT_CODE = "2.16.840.1.113883.5.4"
OID_HL7_ROLE_CODE = "2.16.840.1.113883.5.111"
OID_HL7_OBS_INTERPRETATION = "2.16.840.1.113883.5.83"
OID_HL7_INTERACTION = "2.16.840.1.113883.1.6"
OID_HL7_TRIGGER_EVENT = "2.16.840.1.113883.1.18"

# FDA regional code lists
OID_FDA_REPORT_TYPE = "2.16.840.1.113883.3.989.5.1.2.2.1.1.1"  # FDA.C.1.7.1
OID_FDA_CHARACTERISTIC = "2.16.840.1.113883.3.989.5.1.2.2.1.3"  # FDA.C.1.12 / FDA.E.i.3.2h codes
OID_FDA_DEVICE_OPERATOR = "2.16.840.1.113883.3.989.5.1.2.1.1.6"  # FDA.G.k.12.r.10
OID_FDA_ADDITIONAL_INFO = "2.16.840.1.113883.3.989.5.1.2.1.1.7"  # FDA.G.k.10a
OID_FDA_OTHER_CHARACTERISATION = "2.16.840.1.113883.3.989.5.1.2.1.1.8"  # FDA.G.k.1.a

# NCI thesaurus codes used by FDA as discriminators
NCI_RACE = "C17049"  # FDA.D.11.r
NCI_ETHNIC_GROUP = "C16564"  # FDA.D.12
NCI_COMBINATION_PRODUCT_INDICATOR = "C156384"  # FDA.C.1.12
NCI_LOCAL_CRITERIA_REPORT_TYPE = "C54588"  # FDA.C.1.7.1
NCI_SPECIALIZED_CATEGORY = "C94031"  # FDA.G.k.10.1
NCI_MALFUNCTION = "C54026"  # FDA.G.k.12.r.1
NCI_DEVICE_PROBLEM = "C54451"  # FDA.G.k.12.r.3.r
NCI_DEVICE_USAGE = "C54595"  # FDA.G.k.12.r.8
NCI_REMEDIAL_ACTION = "C54594"  # FDA.G.k.12.r.11.r
NCI_FOLLOW_UP_TYPE = "C54592"  # FDA.G.k.12.r.2.r

#: Codes the writer puts on documents and on the G.k.2.4 product event when the model leaves them empty; the reader
#: maps exactly these back to None, so a model round-trips either way.
DEFAULT_DOCUMENT_CODES = {
    "1": ("documentsHeldBySender", OID_ICH_DOCUMENT),
    "2": ("literatureReference", OID_ICH_DOCUMENT),
}
DEFAULT_SUPPLY_EVENT = ("1", OID_ICH_PRODUCT_EVENT, "retailSupply")

#: displayName written for ICH observation codes (2.16.840.1.113883.3.989.2.1.1.19), as in the ICH guide.
OBSERVATION_NAMES = {
    "1": "additionalDocumentsAvailable",
    "2": "additionalInformation",
    "3": "age",
    "4": "ageGroup",
    "5": "autopsy",
    "6": "blinded",
    "7": "bodyWeight",
    "8": "causeOfDeath",
    "9": "codedDrugInformation",
    "10": "comment",
    "11": "concomitantTherapy",
    "12": "congenitalAnomalyBirthDefect",
    "13": "continuing",
    "14": "cumulativeDoseToReaction",
    "15": "diagnosis",
    "16": "gestationPeriod",
    "17": "height",
    "18": "historyAndConcurrentConditionText",
    "19": "indication",
    "20": "interventionCharacterization",
    "21": "isLifeThreatening",
    "22": "lastMenstrualPeriodDate",
    "23": "localCriteriaForExpedited",
    "24": "medicalConfirmationByHealthProfessional",
    "25": "moreInformationAvailable",
    "26": "otherMedicallyImportantCondition",
    "27": "outcome",
    "28": "parentRouteOfAdministration",
    "29": "reaction",
    "30": "reactionForTranslation",
    "31": "recurranceOfReaction",
    "32": "reportedCauseOfDeath",
    "33": "requiresInpatientHospitalization",
    "34": "resultsInDeath",
    "35": "resultsInPersistentOrSignificantDisability",
    "36": "summaryAndComment",
    "37": "termHighlightedByReporter",
    "38": "familyHistory",
    "39": "causality",
}
