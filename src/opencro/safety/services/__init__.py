"""Safety writes: intake, case content, workflow and approval, the RSI, reporting rules and submissions.

Who: `safety.edit` (safety staff and physicians); site-restricted roles only for their sites; `actor=None` is the
system (the EDC's SAE intake runs as the site user who saved the form, loaders and fixtures as None). Each call is
one transaction and one audit group; a change after first entry needs a reason.
"""
