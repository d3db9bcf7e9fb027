"""The append-only, hash-chained audit trail (21 CFR 11.10(e), EU Annex 11 section 9)."""
