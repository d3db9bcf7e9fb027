"""Participants: screening, enrolment, and (unblinded-only) treatment assignment."""
