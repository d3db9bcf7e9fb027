"""Participant pages: the subject list, screening, the subject page, consent forms and the pre-screening log."""
