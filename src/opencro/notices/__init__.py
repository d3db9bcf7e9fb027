"""In-app notifications (and their e-mail copies): what happened that a user must know about."""
