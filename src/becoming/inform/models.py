"""Inform: a content library, who read what, and the newsletters and digests that carry it.

Every reading (view, click, download, registration, attendance) is an Interaction row and a
signal ``inform.<type>`` of the reader's customer: the row first, the signal last, both under
the same key (see ``actions.interactions``).
"""

from django.conf import settings
from django.db import models

from becoming.customers.models import Contact, Customer
from becoming.workspaces.models import Workspace

User = settings.AUTH_USER_MODEL


class Item(models.Model):
    class Kind(models.TextChoices):
        ARTICLE = "article", "Article"
        BLOG = "blog", "Blog post"
        CASE_STUDY = "case_study", "Case study"
        WHITE_PAPER = "white_paper", "White paper"
        LINK = "link", "Industry link"
        VIDEO = "video", "Video"
        WEBINAR = "webinar", "Webinar"
        EVENT = "event", "Conference or event"
        NEWSLETTER = "newsletter", "Newsletter issue"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="inform_items")
    # The id in its source (a file's id column, a feed entry's id); unique in the workspace.
    external_id = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ARTICLE)
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    url = models.URLField(max_length=1000, blank=True)
    body = models.TextField(blank=True, help_text="Markdown; rendered without scripts or event handlers.")
    tags = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=20, blank=True)
    published = models.DateTimeField(null=True, blank=True)
    # Targeting: the dimension and the stage it helps readers move on from, toward a stage
    # (by default the next one). Blank: not targeted.
    dimension = models.CharField(max_length=100, blank=True)
    stage = models.CharField(max_length=100, blank=True)
    toward = models.CharField(max_length=100, blank=True)
    industries = models.JSONField(default=list, blank=True)
    segments = models.JSONField(default=list, blank=True)
    # Webinars and events.
    starts = models.DateTimeField(null=True, blank=True)
    ends = models.DateTimeField(null=True, blank=True)
    place = models.CharField(max_length=300, blank=True, help_text="A venue or a meeting link.")
    source = models.CharField(max_length=20, default="app")  # app, import, feed, demo
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published", "-id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "external_id"], name="one_inform_item_id")]
        indexes = [models.Index(fields=["workspace", "kind"]), models.Index(fields=["workspace", "dimension"])]

    def __str__(self) -> str:
        return self.title


class Interaction(models.Model):
    class Type(models.TextChoices):
        VIEW = "view", "Viewed"
        CLICK = "click", "Clicked"
        DOWNLOAD = "download", "Downloaded"
        REGISTER = "register", "Registered"
        ATTEND = "attend", "Attended"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="inform_interactions")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="interactions")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="inform_interactions")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="inform_interactions")
    type = models.CharField(max_length=10, choices=Type.choices)
    time = models.DateTimeField()
    value = models.FloatField(null=True, blank=True)
    # The signal's event id: the same key in the database and the signal store.
    key = models.CharField(max_length=100)
    source = models.CharField(max_length=20, default="import")  # import, email, portal, app, demo

    class Meta:
        ordering = ["-time", "-id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "key"], name="one_inform_interaction")]
        indexes = [models.Index(fields=["workspace", "customer"]), models.Index(fields=["item", "time"])]


class ContactKey(models.Model):
    """How files name a contact (their own id for the person), kept apart from Contact."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="inform_key")
    key = models.CharField(max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "key"], name="one_inform_contact_key")]


class Issue(models.Model):
    """A newsletter (chosen items for everyone) or a digest (each reader's own top items)."""

    class Kind(models.TextChoices):
        NEWSLETTER = "newsletter", "Newsletter"
        DIGEST = "digest", "Digest"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="inform_issues")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.DIGEST)
    subject = models.CharField(max_length=200)
    intro = models.TextField(blank=True)
    items = models.ManyToManyField(Item, blank=True, related_name="issues")
    count = models.PositiveSmallIntegerField(default=5, help_text="Items per reader in a digest.")
    # Who receives it: every contact with an email, or those at one stage of one dimension.
    dimension = models.CharField(max_length=100, blank=True)
    stage = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    created = models.DateTimeField(auto_now_add=True)
    sent = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.subject


class Delivery(models.Model):
    """One recipient of one issue, claimed before its message is handed to SMTP, so a
    resumed send never mails anyone twice."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        CLAIMED = "claimed", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not sent (unsubscribed or bounced)"

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="inform_deliveries")
    email = models.EmailField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    items = models.JSONField(default=list)  # the item ids this reader got, in order
    sent = models.DateTimeField(null=True, blank=True)
    opened = models.DateTimeField(null=True, blank=True)
    clicked = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["issue", "contact"], name="one_inform_delivery")]
        indexes = [models.Index(fields=["issue", "status"])]


class Suppression(models.Model):
    """An address never mailed again: it unsubscribed, or it bounced."""

    class Reason(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        BOUNCED = "bounced", "Bounced"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="inform_suppressions")
    email = models.EmailField()
    reason = models.CharField(max_length=15, choices=Reason.choices)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "email"], name="one_inform_suppression")]
