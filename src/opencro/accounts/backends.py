"""Authentication with account lockout after repeated failures (21 CFR 11.300(d))."""

from django.contrib.auth.backends import ModelBackend

from opencro.accounts import services


class LockoutModelBackend(ModelBackend):
    """Refuse locked accounts; count failures and lock at OPENCRO_LOCKOUT_ATTEMPTS."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            if user.is_locked:
                services.login_failure_record(username=username, locked_attempt=True)
                return None
            services.login_success_record(user=user)
            return user
        if username:
            services.login_failure_record(username=username)
        return None

    def get_user(self, user_id):
        """End the open sessions of a locked account too: it reads as signed out until unlocked."""
        user = super().get_user(user_id)
        return None if user is not None and user.is_locked else user
