"""Randomisation and trial supply (RTSM/IRT): schemes, allocation, blinding, emergency unblinding, kits and depots."""
