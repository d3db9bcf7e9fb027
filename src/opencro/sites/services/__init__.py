"""Writes of the site registry and feasibility: registry entries, ClinicalTrials.gov imports, questionnaires,
invitations and the public answers to them, and the selection of a candidate as a study site."""
