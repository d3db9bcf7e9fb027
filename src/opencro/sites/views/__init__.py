"""Pages of the site registry and feasibility (under a study, `site.edit`) and the sites' public answer page."""
