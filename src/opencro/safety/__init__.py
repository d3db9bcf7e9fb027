"""Safety and pharmacovigilance: cases, expedited reporting clocks, E2B(R3), reconciliation, signals."""
