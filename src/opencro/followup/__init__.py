"""Participant follow-up: the visit calendar, visit reminders, retention (disposition, lost to follow-up, risk)."""
