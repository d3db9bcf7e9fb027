"""The oversight dashboard, the risk assessment, quality tolerance limits and central statistical monitoring."""
