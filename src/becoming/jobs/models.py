"""Background jobs as rows, so the pages and the CLI can show their progress."""

from django.conf import settings
from django.db import models

from becoming.workspaces.models import Workspace


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=50)
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    # The lease (see becoming.jobs.lease): which worker process runs the job, when it last
    # said it still does, and how many times a worker has claimed it.
    claimed_by = models.CharField(max_length=200, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created"]
        # Every worker looks for running jobs whose lease ran out, every half lease.
        indexes = [models.Index(fields=["status", "heartbeat"], name="jobs_job_lease")]

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def finished_ok(self) -> bool:
        return self.status == self.Status.DONE


class Upload(models.Model):
    """A file a person uploaded for import, kept until its import job has run."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="uploads")
    # A key of becoming.registry.IMPORT_KINDS (customers, events, feedback, ...).
    kind = models.CharField(max_length=20)
    path = models.CharField(max_length=500)
    original_name = models.CharField(max_length=300)
    columns = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created = models.DateTimeField(auto_now_add=True)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL)
