"""API authentication: hashed, revocable bearer tokens."""

from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from opencro.accounts.services import token_authenticate


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        """Return the token's user; a token that is presented but not valid is a 401, never a fallback
        to the browser session the same request may carry."""
        user = token_authenticate(token)
        if user is None:
            raise AuthenticationError
        request.user = user
        return user
