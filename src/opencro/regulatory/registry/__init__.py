"""Registry disclosure: the study's ClinicalTrials.gov registration (API v2 study JSON) and EU CTR public
information exported from the protocol, the records kept as registered, and what changed since (issue 10)."""
