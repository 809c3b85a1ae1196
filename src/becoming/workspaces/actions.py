"""Named actions on workspaces and their members, shared by the CLI, the API and the pages."""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from .models import ApiToken, Membership, Role, Workspace


def check_currency(code: str) -> str:
    """An ISO 4217 code like EUR (upper-cased), or ValidationError."""
    cleaned = (code or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", cleaned):
        raise ValidationError(f"{code!r} is not a currency code: use three letters, like USD or EUR")
    return cleaned


def create_workspace(name: str, currency: str = "USD") -> Workspace:
    name = name.strip()
    if not name:
        raise ValidationError("a workspace needs a name")
    return Workspace.objects.create(name=name, slug=Workspace.unique_slug(name),
                                    currency=check_currency(currency))


def update_workspace(workspace: Workspace, name: str | None = None,
                     currency: str | None = None) -> Workspace:
    """Rename a workspace or change its currency (the slug never changes: links keep working)."""
    if name is not None:
        if not name.strip():
            raise ValidationError("a workspace needs a name")
        workspace.name = name.strip()
    if currency is not None:
        workspace.currency = check_currency(currency)
    workspace.save(update_fields=["name", "currency"])
    return workspace


def get_workspace(slug: str) -> Workspace:
    try:
        return Workspace.objects.get(slug=slug)
    except Workspace.DoesNotExist:
        raise ValidationError(f"no workspace with slug {slug!r}") from None


@transaction.atomic
def add_member(workspace: Workspace, email: str, role: str, password: str | None = None,
               *, check_password: bool = True):
    """Create the user when new (email is the login) and give them `role` in `workspace`.

    A password must pass AUTH_PASSWORD_VALIDATORS; `check_password=False` is for the demo's
    published sample password only.
    """
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(f"{email!r} is not an email address") from None
    if role not in Role.values:
        raise ValidationError(f"role must be one of {', '.join(Role.values)}, not {role!r}")
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first() or User(username=email[:150], email=email)
    if password:
        if check_password:
            _check_password(password, user)
        user.set_password(password)
    elif user.pk is None:
        user.set_unusable_password()
    if password or user.pk is None:
        user.save()
    membership, _ = Membership.objects.update_or_create(
        workspace=workspace, user=user, defaults={"role": role}
    )
    return membership


def _check_password(password: str, user) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError([f"password: {message}" for message in exc.messages]) from None


def remove_member(membership: Membership) -> None:
    owners = Membership.objects.filter(workspace=membership.workspace, role=Role.OWNER)
    if membership.role == Role.OWNER and owners.count() == 1:
        raise ValidationError("a workspace keeps at least one owner")
    membership.delete()


def may_manage(acting: Membership, role: str) -> bool:
    """Only owners hand out or take away the owner role."""
    return acting.role == Role.OWNER or role != Role.OWNER


def invite_member(acting: Membership, email: str, role: str) -> Membership:
    """``acting`` adds someone to their workspace with ``role``."""
    if not may_manage(acting, role):
        raise ValidationError("only an owner can make someone an owner")
    return add_member(acting.workspace, email, role)


@transaction.atomic
def change_role(acting: Membership, target: Membership, role: str) -> None:
    if not may_manage(acting, target.role) or not may_manage(acting, role):
        raise ValidationError("only an owner can change or remove an owner")
    if role not in Role.values:
        raise ValidationError(f"role must be one of {', '.join(Role.values)}, not {role!r}")
    owners = Membership.objects.select_for_update().filter(workspace=target.workspace, role=Role.OWNER)
    if target.role == Role.OWNER and role != Role.OWNER and not owners.exclude(pk=target.pk).exists():
        raise ValidationError("a workspace keeps at least one owner")
    target.role = role
    target.save(update_fields=["role"])


def dismiss_member(acting: Membership, target: Membership) -> None:
    if not may_manage(acting, target.role):
        raise ValidationError("only an owner can change or remove an owner")
    remove_member(target)


def issue_token(workspace: Workspace, name: str, user=None) -> tuple[ApiToken, str]:
    """A new API token for the workspace; the secret is returned once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationError("a token needs a name")
    return ApiToken.issue(workspace, name, user)


def revoke_token(token: ApiToken) -> None:
    token.delete()
