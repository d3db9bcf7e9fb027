"""EDC pages: thin views over `edc.selectors` and `edc.services`."""
