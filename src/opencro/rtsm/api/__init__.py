"""RTSM API under /api/v1/studies/{id}/rtsm/: one router per part, registered in opencro.api."""
