"""Issues and CAPA raised from oversight signals."""
