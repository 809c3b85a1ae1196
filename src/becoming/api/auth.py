"""API tokens: `Authorization: Bearer <secret>`; each token acts for one workspace."""

from django.utils import timezone
from ninja.security import HttpBearer

from becoming.workspaces.models import RANK, ApiToken, Role


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        found = ApiToken.objects.select_related("workspace").filter(digest=ApiToken.hash(token)).first()
        if found is None:
            return None
        # One write a minute at most: last_used is for people, not for auditing.
        now = timezone.now()
        if not found.last_used or (now - found.last_used).total_seconds() > 60:
            ApiToken.objects.filter(pk=found.pk).update(last_used=now)
        request.workspace = found.workspace
        request.token = found
        return found


def require(request, role: str) -> None:
    """Refuse a token whose role is below `role` (403)."""
    from ninja.errors import HttpError

    if RANK[Role(request.token.role)] < RANK[Role(role)]:
        raise HttpError(403, f"this token's role ({request.token.role}) cannot do this; it needs {role}")
