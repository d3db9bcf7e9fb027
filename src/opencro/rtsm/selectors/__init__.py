"""RTSM reads, each scoped by a StudyAccess and blinded for roles without treatment.view."""
