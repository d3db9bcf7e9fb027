"""RTSM writes: scheme configuration, allocation, unblinding and supply."""
