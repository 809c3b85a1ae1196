"""Tenants. Every other row in Becoming belongs to exactly one Workspace."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.text import slugify


class Role(models.TextChoices):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"
    VIEWER = "viewer"


# What each role may do; a role includes the ones below it.
RANK = {Role.VIEWER: 0, Role.MEMBER: 1, Role.ADMIN: 2, Role.OWNER: 3}


class Workspace(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    # The ISO 4217 code money is shown in (revenue, ARR, what a step up is worth).
    currency = models.CharField(max_length=3, default="USD")

    def __str__(self) -> str:
        return self.name

    @property
    def data_dir(self):
        path = settings.HOME / "workspaces" / str(self.pk)
        path.mkdir(parents=True, exist_ok=True)
        return path

    @staticmethod
    def unique_slug(name: str) -> str:
        base = slugify(name)[:50] or "workspace"
        slug, n = base, 1
        while Workspace.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        return slug


class Membership(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "user"], name="one_membership")]

    def can(self, role: str) -> bool:
        return RANK[Role(self.role)] >= RANK[Role(role)]


class ApiToken(models.Model):
    """A secret that acts for a workspace in the API. Only its hash is stored."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.ADMIN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def hash(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def issue(cls, workspace, name, user=None, role=Role.ADMIN):
        """Create a token; returns (token, secret). The secret is shown once and never stored."""
        secret = "bec_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            workspace=workspace, name=name, prefix=secret[:10], digest=cls.hash(secret),
            created_by=user, role=role,
        )
        return token, secret
