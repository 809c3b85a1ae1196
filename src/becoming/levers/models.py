"""Levers: the work queue's decisions and tasks, and playbooks as code with their enrolments.

What happens to a customer is a signal, not a row here: an enrolment writes
``playbook.enrolled`` (or ``playbook.holdout``), a step ``playbook.step``, a done task
``levers.task_done``. The rows keep what the pages list and what makes a repeat a no-op.
"""

from django.conf import settings
from django.db import models

from becoming.customers.models import Customer
from becoming.workspaces.models import Workspace

User = settings.AUTH_USER_MODEL


class Playbook(models.Model):
    """A playbook's identity; its text lives in numbered versions."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="playbooks")
    key = models.SlugField(max_length=100)
    name = models.CharField(max_length=200)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "key"], name="levers_playbook_key")]

    def __str__(self) -> str:
        return self.name


class PlaybookVersion(models.Model):
    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["playbook", "number"], name="levers_version_number")]


class Enrolment(models.Model):
    """A customer entering a playbook; holdout customers are enrolled but left untreated."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="enrolments")
    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="enrolments")
    version = models.ForeignKey(PlaybookVersion, on_delete=models.CASCADE, related_name="enrolments")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="enrolments")
    enrolled_on = models.DateField()
    holdout = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-enrolled_on", "customer_id"]
        constraints = [models.UniqueConstraint(fields=["playbook", "customer", "enrolled_on"],
                                               name="levers_enrolment_once_a_day")]


class EnrolmentStep(models.Model):
    """A step a playbook took for an enrolled customer, and what it did."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=100)
    result = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["enrolment", "number"], name="levers_step_once")]


class Task(models.Model):
    """Something a person does for a customer: accepted from the queue or a playbook's step."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="lever_tasks")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="lever_tasks")
    title = models.CharField(max_length=300)
    action = models.CharField(max_length=200, blank=True)
    dimension = models.CharField(max_length=100, blank=True)
    due = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    enrolment = models.ForeignKey(Enrolment, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="tasks")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due", "id"]


class Decision(models.Model):
    """What a person did with a suggested action: accepted, snoozed (until a day) or dismissed."""

    class Kind(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        SNOOZED = "snoozed", "Snoozed"
        DISMISSED = "dismissed", "Dismissed"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="lever_decisions")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="lever_decisions")
    action = models.CharField(max_length=200)
    dimension = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    until = models.DateField(null=True, blank=True)
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.SET_NULL)
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]
