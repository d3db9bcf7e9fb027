"""Users, roles, study and site memberships, API tokens and e-signatures."""
