"""Date formats: ISO 8601 dates in every language, so no reader misreads 03/04 as March or April."""
