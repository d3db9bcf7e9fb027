"""RTSM pages: randomisation, scheme configuration and reports, unblinding, supply."""
