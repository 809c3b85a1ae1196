"""What a customer-success manager keeps beside an account: notes, alerts, alert settings."""

from django.conf import settings
from django.db import models

from becoming.customers.models import Customer
from becoming.workspaces.models import Workspace


class Note(models.Model):
    """A note a member wrote on a customer ("called about the renewal; wants SSO")."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    text = models.TextField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["customer", "created"])]


class Alert(models.Model):
    """Something about an account its owner should look at: a stage drop or a renewal near.

    ``key`` makes an alert once per occurrence (the dimension and date of a drop, the date of
    a renewal): checking again creates nothing new. ``emailed`` stays empty until the
    owner's mail went out, so a failed send is retried by the next check.
    """

    class Kind(models.TextChoices):
        STAGE_DROP = "stage_drop", "Stage drop"
        RENEWAL = "renewal", "Renewal near"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=200)
    message = models.CharField(max_length=500)
    created = models.DateTimeField(auto_now_add=True)
    read = models.BooleanField(default=False)
    dismissed = models.BooleanField(default=False)
    emailed = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [models.UniqueConstraint(fields=["customer", "kind", "key"],
                                               name="one_alert_per_occurrence")]
        indexes = [models.Index(fields=["workspace", "dismissed", "read"])]


class AlertSettings(models.Model):
    """A workspace's alert settings (defaults apply while it has no row)."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    renewal_days = models.PositiveSmallIntegerField(default=60)
