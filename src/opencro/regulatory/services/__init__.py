"""Regulatory writes: the authorities library, ethics committees, submissions and their steps, questions and
commitments; approvals date the start-up milestones that gate each site's green light."""
