"""A small report table whose signals follow from its 2x2 tables by hand (shared by the signal-run tests).

Cardiozan has Rash in 8 of its 10 reports, while Rash is in 3 of the other 90 reports: PRR = (8/10) / (3/90) = 24
with n = 8, an Evans signal (Evans et al. 2001); Aspirin has Headache in 40 of its 42 reports against 2 of the
other 58 (PRR = (40/42) / (2/58) = 27.6); Placebix has Nausea in 45 of its 48 (PRR = (45/48) / (2/52) = 24.4).
"""

import csv
import io


def reports_csv() -> bytes:
    rows = [("report", "drug", "reaction")]
    rows += [(f"C{i}", "Cardiozan", "Rash") for i in range(8)]
    rows += [(f"C{i}", "Cardiozan", "Headache") for i in range(8, 10)]
    rows += [(f"A{i}", "Aspirin", "Headache") for i in range(40)]
    rows += [(f"A{i}", "Aspirin", "Nausea") for i in range(40, 42)]
    rows += [(f"P{i}", "Placebix", "Nausea") for i in range(45)]
    rows += [(f"P{i}", "Placebix", "Rash") for i in range(45, 48)]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()
