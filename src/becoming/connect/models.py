"""Connect: community members, rounds of introductions, gatherings and the forum.

What happens between members (proposed, accepted, declined, met, rating, posts) is also a
signal (``connect.*``), so models and the lever-effect analysis can use it; these tables hold
the state the pages, mails and links need.
"""

from django.conf import settings
from django.db import models

from becoming.customers.models import Contact, Customer
from becoming.workspaces.models import Workspace

User = settings.AUTH_USER_MODEL


class Member(models.Model):
    """A customer in the community, with the record of its consent."""

    class Consent(models.TextChoices):
        STAFF = "staff", "Staff, on the customer's behalf"
        IMPORT = "import", "Import column"
        PORTAL = "portal", "The customer, in the portal"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="connect_members")
    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="connect_member")
    opted_in = models.BooleanField(default=True)
    consent_how = models.CharField(max_length=10, choices=Consent.choices)
    consent_at = models.DateTimeField()
    # Who gave it: a staff user's email, a file name and row, or the contact's email.
    consent_by = models.CharField(max_length=300, blank=True)
    consent_note = models.CharField(max_length=500, blank=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    # How many introductions a member takes in one round.
    capacity = models.PositiveSmallIntegerField(default=1)
    working_on = models.TextField(blank=True, help_text="What we are working on, in the member's words.")
    # The embedding of the member's challenge text, kept with a hash of that text so a round
    # embeds only what changed since the last one (float32 × 384).
    embedding = models.BinaryField(null=True, blank=True)
    embedded_text = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "opted_in"])]

    def __str__(self) -> str:
        return str(self.customer)


class Competitors(models.Model):
    """Two customers who must never be introduced (an explicit competitor list)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="connect_competitors")
    a = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    b = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "a", "b"], name="one_competitor_pair")]


class Round(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Under review"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    class Mode(models.TextChoices):
        ANY = "any", "Any industry"
        SAME = "same-industry", "Same industry"
        CROSS = "cross-industry", "Across industries"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="connect_rounds")
    name = models.CharField(max_length=200)
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.ANY)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The options the round was proposed with (attributes, capacity, as-of, weights used).
    params = models.JSONField(default=dict, blank=True)
    total = models.FloatField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    sent = models.DateTimeField(null=True, blank=True)
    link_days = models.PositiveSmallIntegerField(default=14)

    class Meta:
        ordering = ["-created", "-id"]


class Introduction(models.Model):
    """A proposed pair of a round, then a double opt-in: each side accepts or declines."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        DROPPED = "dropped", "Dropped by staff"
        SENT = "sent", "Waiting for answers"
        DECLINED = "declined", "Declined"
        INTRODUCED = "introduced", "Introduced"

    class Answer(models.TextChoices):
        NONE = "", "No answer yet"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="connect_introductions")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="introductions")
    a = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    b = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    reason = models.TextField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    a_answer = models.CharField(max_length=10, choices=Answer.choices, blank=True, default="")
    b_answer = models.CharField(max_length=10, choices=Answer.choices, blank=True, default="")
    a_answered = models.DateTimeField(null=True, blank=True)
    b_answered = models.DateTimeField(null=True, blank=True)
    # Mail bookkeeping, so a resumed send mails nobody twice.
    a_mailed = models.DateTimeField(null=True, blank=True)
    b_mailed = models.DateTimeField(null=True, blank=True)
    introduced = models.DateTimeField(null=True, blank=True)
    follow_up_mailed = models.DateTimeField(null=True, blank=True)
    met = models.DateTimeField(null=True, blank=True)
    a_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    b_rating = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "a", "b"], name="one_pair_per_round")]

    def side(self, member_id: int) -> str:
        return "a" if member_id == self.a_id else "b"


class Gathering(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="connect_gatherings")
    title = models.CharField(max_length=200)
    topic = models.CharField(max_length=300, blank=True)
    starts = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField(default=90)
    location = models.CharField(max_length=300, blank=True)
    size_min = models.PositiveSmallIntegerField(default=5)
    size_max = models.PositiveSmallIntegerField(default=8)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts", "-id"]


class Seat(models.Model):
    """A member's place in a group of a gathering, its RSVP and attendance."""

    class Rsvp(models.TextChoices):
        NONE = "", "No answer yet"
        YES = "yes", "Coming"
        NO = "no", "Not coming"

    gathering = models.ForeignKey(Gathering, on_delete=models.CASCADE, related_name="seats")
    group = models.PositiveSmallIntegerField()
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="seats")
    rsvp = models.CharField(max_length=4, choices=Rsvp.choices, blank=True, default="")
    attended = models.BooleanField(null=True, blank=True)
    invited = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["group", "id"]
        constraints = [models.UniqueConstraint(fields=["gathering", "member"], name="one_seat")]


class Topic(models.Model):
    """A forum topic, tied to a dimension of the model or a theme of feedback."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="connect_topics")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    dimension = models.CharField(max_length=100, blank=True)
    theme_key = models.CharField(max_length=20, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "title"]


class Thread(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="connect_threads")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="threads")
    title = models.CharField(max_length=200)
    locked = models.BooleanField(default=False)
    hidden = models.BooleanField(default=False)
    created = models.DateTimeField()
    last_post = models.DateTimeField()

    class Meta:
        ordering = ["-last_post", "-id"]


class Post(models.Model):
    class State(models.TextChoices):
        VISIBLE = "visible", "Visible"
        HIDDEN = "hidden", "Hidden by a moderator"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="connect_posts")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    staff = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.VISIBLE)
    created = models.DateTimeField()

    class Meta:
        ordering = ["created", "id"]


class Ban(models.Model):
    """A contact who may no longer post in the forum."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="connect_bans")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "contact"], name="one_ban")]
