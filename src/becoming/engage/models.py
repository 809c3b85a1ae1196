"""Engage: surveys, meetings and open feedback, and the themes found in that feedback.

Whatever a customer tells us also becomes a signal (answers, meetings), so the engine can use
it; free text becomes Feedback, which theme discovery groups into Themes.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from becoming.customers.models import Contact, Customer
from becoming.workspaces.models import Workspace

User = settings.AUTH_USER_MODEL


class Panelist(models.Model):
    """Someone in a market-research panel or prospect list: a person to survey who is not a
    customer. Their attributes (industry, size...) come from the imported file's columns and
    drive quotas and weighting."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="panelists")
    email = models.EmailField(max_length=254)  # kept lower-case: the identity of a panelist
    name = models.CharField(max_length=200, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["email"]
        constraints = [models.UniqueConstraint(fields=["workspace", "email"], name="one_panelist_email")]

    def __str__(self) -> str:
        return self.name or self.email


class Survey(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft"
        OPEN = "open"
        CLOSED = "closed"

    class Audience(models.TextChoices):
        CUSTOMERS = "customers", "Customers' contacts"
        PANEL = "panel", "The panel (market research)"
        BOTH = "both", "Customers and the panel"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="surveys")
    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # A self-assessment is generated from the model: one question per dimension.
    self_assessment = models.BooleanField(default=False)
    link_days = models.PositiveSmallIntegerField(default=30, help_text="How long personal links work.")
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.CUSTOMERS)
    # Known population shares the panel's answers are raked to: {attribute: {value: share}},
    # shares of one attribute summing to 1.
    weights = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        SCALE_5 = "scale_5", "Scale 1–5"
        SCALE_10 = "scale_10", "Scale 0–10"
        SINGLE = "single", "Single choice"
        MULTIPLE = "multiple", "Multiple choice"
        TEXT = "text", "Free text"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    # The key `answer` criteria of the model use; numeric answers become signals under it.
    key = models.SlugField(max_length=100)
    text = models.CharField(max_length=500)
    help = models.CharField(max_length=500, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # [{"value": number, "label": str}] for choices; a choice's value is what the signal holds.
    choices = models.JSONField(default=list, blank=True)
    required = models.BooleanField(default=False)
    # For a self-assessment question: the dimension whose stage it asks about.
    dimension = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["survey", "key"], name="one_question_key")]

    @property
    def numeric(self) -> bool:
        return self.kind != self.Kind.TEXT


class Quota(models.Model):
    """At most `limit` submitted responses per value of a respondent's attribute (a cell);
    a quota with a value is that one cell's own limit, beside the attribute's general one."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="quotas")
    attribute = models.CharField(max_length=100)
    value = models.CharField(max_length=200, blank=True)  # blank: every value of the attribute
    limit = models.PositiveIntegerField()

    class Meta:
        ordering = ["attribute", "value"]
        constraints = [models.UniqueConstraint(fields=["survey", "attribute", "value"], name="one_quota_cell")]


class Invitation(models.Model):
    """A personal link for one contact or one panelist; its token is signed, expiring, and
    used once."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="invitations")
    panelist = models.ForeignKey(Panelist, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="invitations")
    created = models.DateTimeField(auto_now_add=True)
    sent = models.DateTimeField(null=True, blank=True)
    reminded = models.DateTimeField(null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(default=0)
    expires = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "contact"], name="one_invitation"),
            models.UniqueConstraint(fields=["survey", "panelist"], name="one_panel_invitation"),
            models.CheckConstraint(condition=Q(contact__isnull=True) ^ Q(panelist__isnull=True),
                                   name="invitation_contact_or_panelist"),
        ]

    @property
    def person(self):
        """Whom the link is for: the contact or the panelist (both have a name and an email)."""
        return self.contact or self.panelist


class Response(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    invitation = models.OneToOneField(Invitation, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="response")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="survey_responses")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL)
    panelist = models.ForeignKey(Panelist, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="responses")
    # {question key: value}; values are numbers, lists of numbers (multiple) or text.
    answers = models.JSONField(default=dict)
    started = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    submitted = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started"]


class Meeting(models.Model):
    class Kind(models.TextChoices):
        VISIT = "visit", "Visit (face to face)"
        MEETING = "meeting", "Video meeting"
        CALL = "call", "Call"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="meetings")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MEETING)
    when = models.DateTimeField()
    contacts = models.ManyToManyField(Contact, blank=True, related_name="meetings")
    staff = models.ManyToManyField(User, blank=True, related_name="meetings")
    title = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    next_steps = models.TextField(blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-when"]
        indexes = [models.Index(fields=["workspace", "when"])]


class Theme(models.Model):
    """A group of feedback that says the same thing. `key` is stable across rediscovery."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="themes")
    key = models.CharField(max_length=20)
    label = models.CharField(max_length=200)  # found by discovery (key phrases)
    name = models.CharField(max_length=200, blank=True)  # given by staff; survives rediscovery
    key_phrases = models.JSONField(default=list)
    centroid = models.BinaryField()  # float32 × 384, L2-normalised
    size = models.PositiveIntegerField(default=0)
    dimension = models.CharField(max_length=100, blank=True)  # the model dimension it concerns
    # Made by a staff split: rediscovery keeps its centroid instead of moving it.
    pinned_by_staff = models.BooleanField(default=False)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="merged")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-size", "key"]
        constraints = [models.UniqueConstraint(fields=["workspace", "key"], name="one_theme_key")]

    @property
    def title(self) -> str:
        return self.name or self.label


class Feedback(models.Model):
    """One piece of open feedback from any channel, linked to a customer when known."""

    class Channel(models.TextChoices):
        SURVEY = "survey"
        MEETING = "meeting"
        IMPORT = "import"
        API = "api"
        SOCIAL = "social"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="feedback")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="feedback")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL)
    channel = models.CharField(max_length=50, default=Channel.IMPORT)
    # The id in its source: the --id-column value, else the row number in its file.
    source_id = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    time = models.DateTimeField()
    embedding = models.BinaryField(null=True, blank=True)
    theme = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback")
    survey_response = models.ForeignKey(Response, null=True, blank=True, on_delete=models.CASCADE)
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.CASCADE)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["workspace", "time"]), models.Index(fields=["workspace", "theme"])]


class SocialPost(models.Model):
    """A public post or comment about the business: its feedback item (channel ``social``)
    plus where it was said, by whom, its sentiment and how it was linked to a customer.
    A post without a customer is market voice."""

    class Link(models.TextChoices):
        NONE = "", "Market voice"
        HANDLE = "handle", "Known handle"
        EMAIL_DOMAIN = "email_domain", "Email domain"
        MAPPING = "mapping", "Mapping file"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="social_posts")
    feedback = models.OneToOneField(Feedback, on_delete=models.CASCADE, related_name="social")
    platform = models.CharField(max_length=50, blank=True)
    author = models.CharField(max_length=200, blank=True)  # handle or address as exported
    url = models.CharField(max_length=1000, blank=True)
    # VADER compound score, -1 (most negative) .. 1 (most positive)
    sentiment = models.FloatField(default=0.0)
    linked_by = models.CharField(max_length=20, choices=Link.choices, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "platform"])]

    @property
    def sentiment_label(self) -> str:
        return sentiment_label(self.sentiment)


def sentiment_label(score: float) -> str:
    """VADER's own cut-offs: compound >= 0.05 positive, <= -0.05 negative."""
    return "Positive" if score >= 0.05 else "Negative" if score <= -0.05 else "Neutral"
