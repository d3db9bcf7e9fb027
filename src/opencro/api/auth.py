"""API authentication: hashed, revocable bearer tokens."""

from ninja.security import HttpBearer

from opencro.accounts.services import token_authenticate


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user
