"""Assessment snapshots (their rows live in Parquet beside the signal store) and stage changes."""

from django.db import models

from becoming.customers.models import Customer
from becoming.transformation.models import ModelVersion
from becoming.workspaces.models import Workspace


class Snapshot(models.Model):
    """One run of the engine for one as-of date and model version.

    The per-customer rows (stages, progress, every criterion's observed value) are in the
    Parquet file at `path`; `summary` keeps what the dashboard charts need, so it never has to
    open the file: {"index": mean index, "dimensions": {key: [customers per stage]}}.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="snapshots")
    model_version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="snapshots")
    as_of = models.DateField()
    created = models.DateTimeField(auto_now_add=True)
    customers = models.PositiveIntegerField(default=0)
    path = models.CharField(max_length=500)
    summary = models.JSONField(default=dict)
    # True for the one snapshot of a workspace whose stages are on its customers
    # (Customer.stages and CustomerStage): the next assessment writes only what differs.
    on_customers = models.BooleanField(default=False)

    class Meta:
        ordering = ["-as_of", "-created"]
        indexes = [models.Index(fields=["workspace", "as_of"])]


class StageChange(models.Model):
    """A customer moved from one stage to another on a dimension between two snapshots."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="stage_changes")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="stage_changes")
    dimension = models.CharField(max_length=100)
    from_stage = models.CharField(max_length=100)
    to_stage = models.CharField(max_length=100)
    from_index = models.SmallIntegerField()
    to_index = models.SmallIntegerField()
    as_of = models.DateField()
    previous_as_of = models.DateField()

    class Meta:
        ordering = ["-as_of", "customer_id"]
        indexes = [
            models.Index(fields=["workspace", "as_of"]),
            models.Index(fields=["customer", "dimension"]),
        ]

    @property
    def direction(self) -> str:
        return "up" if self.to_index > self.from_index else "down"
