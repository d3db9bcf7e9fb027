"""Which objects can be signed from the signature page (named here, not discovered)."""

SIGNABLE_TYPES = frozenset({"studies.protocolversion", "studies.study"})
