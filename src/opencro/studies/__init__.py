"""The study protocol as data: identity, objectives, arms, schedule, eligibility, sites."""
