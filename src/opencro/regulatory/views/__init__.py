"""Regulatory pages: the submission tracker, a submission with its clocks, steps, questions, commitments and content,
the calendar of what falls due, ethics committees, the site x protocol version matrix, and the authorities library."""
