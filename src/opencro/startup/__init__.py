"""Site start-up: country and site approvals, essential documents, initiation, training, the green light."""
