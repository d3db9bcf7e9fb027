"""Monitoring and quality oversight: protocol deviations (captured and detected), later KRIs, QTLs and visits."""
