"""Inspire: goals drawn from what peers did, stories of real transitions, champions, and the
consent a customer gives to be named.

A customer's stage history lives in ``assessments`` (snapshots and StageChange); these tables
keep only what people decide about it.
"""

from django.conf import settings
from django.db import models

from becoming.customers.models import Contact, Customer
from becoming.workspaces.models import Workspace

User = settings.AUTH_USER_MODEL


class Goal(models.Model):
    """The next stage on a dimension by a date, and a stretch goal; proposed from peers."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        REACHED = "reached", "Reached"
        DROPPED = "dropped", "Dropped"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="goals")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="goals")
    dimension = models.CharField(max_length=100)
    from_index = models.SmallIntegerField()
    goal_index = models.SmallIntegerField()
    goal_date = models.DateField(null=True, blank=True)
    stretch_index = models.SmallIntegerField(null=True, blank=True)
    stretch_date = models.DateField(null=True, blank=True)
    peers = models.PositiveIntegerField(default=0)
    basis = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    accepted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    accepted_on = models.DateTimeField(null=True, blank=True)
    customer_accepted_by = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL,
                                             related_name="+")
    customer_accepted_on = models.DateTimeField(null=True, blank=True)
    reached_on = models.DateField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["goal_date", "customer_id", "dimension"]
        constraints = [models.UniqueConstraint(fields=["customer", "dimension"], name="one_goal_per_dimension")]
        indexes = [models.Index(fields=["workspace", "status", "goal_date"])]


class Consent(models.Model):
    """Whether a customer agreed to be named in stories and comparisons (recorded, dated)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="story_consents")
    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="story_consent")
    named = models.BooleanField(default=False)
    recorded_on = models.DateTimeField(auto_now=True)
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=300, blank=True, help_text="How and when the customer agreed")


class Story(models.Model):
    """A real transition (a customer moved up on a dimension), drafted, edited, published."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="stories")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="stories")
    dimension = models.CharField(max_length=100)
    from_stage = models.CharField(max_length=100)
    to_stage = models.CharField(max_length=100)
    moved_on = models.DateField()
    days_taken = models.PositiveIntegerField(null=True, blank=True)
    signals_before = models.JSONField(default=list, blank=True)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_on = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-moved_on", "customer_id"]
        constraints = [models.UniqueConstraint(fields=["customer", "dimension", "moved_on"], name="one_story_per_move")]
        indexes = [models.Index(fields=["workspace", "status"])]


class Champion(models.Model):
    """A contact at a customer that reached a target stage, proposed as an inspiring person."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        INVITED = "invited", "Invited"
        DECLINED = "declined", "Not now"

    class Ask(models.TextChoices):
        SPEAK = "speak", "Speak at an event"
        WRITE = "write", "Write a case study"
        MENTOR = "mentor", "Mentor a peer"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="champions")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="champion_roles")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="champions")
    dimension = models.CharField(max_length=100)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    ask = models.CharField(max_length=10, choices=Ask.choices, blank=True)
    invited_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    invited_on = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        constraints = [models.UniqueConstraint(fields=["contact", "dimension"], name="one_champion_per_dimension")]


class PeerSetting(models.Model):
    """Who counts as "customers like you" in a workspace: the attributes peers share."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="peer_setting")
    peer_attributes = models.JSONField(default=list, blank=True)
    min_peers = models.PositiveIntegerField(default=30)
