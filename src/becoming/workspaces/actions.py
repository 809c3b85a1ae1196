"""Named actions on workspaces and their members, shared by the CLI, the API and the pages."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from .models import Membership, Role, Workspace


def create_workspace(name: str) -> Workspace:
    name = name.strip()
    if not name:
        raise ValidationError("a workspace needs a name")
    return Workspace.objects.create(name=name, slug=Workspace.unique_slug(name))


def get_workspace(slug: str) -> Workspace:
    try:
        return Workspace.objects.get(slug=slug)
    except Workspace.DoesNotExist:
        raise ValidationError(f"no workspace with slug {slug!r}") from None


@transaction.atomic
def add_member(workspace: Workspace, email: str, role: str, password: str | None = None):
    """Create the user when new (email is the login) and give them `role` in `workspace`."""
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(f"{email!r} is not an email address") from None
    if role not in Role.values:
        raise ValidationError(f"role must be one of {', '.join(Role.values)}, not {role!r}")
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(username=email[:150], email=email)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    elif password:
        user.set_password(password)
        user.save()
    membership, _ = Membership.objects.update_or_create(
        workspace=workspace, user=user, defaults={"role": role}
    )
    return membership


def remove_member(membership: Membership) -> None:
    owners = Membership.objects.filter(workspace=membership.workspace, role=Role.OWNER)
    if membership.role == Role.OWNER and owners.count() == 1:
        raise ValidationError("a workspace keeps at least one owner")
    membership.delete()
