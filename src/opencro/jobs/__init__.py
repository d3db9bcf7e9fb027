"""Background jobs: long work (verifications, imports, exports) run off the request, with progress."""
