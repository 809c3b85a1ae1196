"""Versions of a workspace's transformation model (the YAML document)."""

from django.conf import settings
from django.db import models

from becoming.workspaces.models import Workspace


class ModelVersion(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="model_versions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "number"], name="one_version_number")]
        ordering = ["-number"]

    def parsed(self):
        from becoming.engine import parse_model

        return parse_model(self.text)
