"""The site registry (institutions, investigators, past performance) and feasibility for a study."""
