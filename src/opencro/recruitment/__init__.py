"""Enrolment: actual versus planned versus forecast per study, country and site (Poisson-gamma model)."""
