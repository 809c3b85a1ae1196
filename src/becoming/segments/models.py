"""Saved segments: a named customer filter, shared by the whole workspace."""

from django.conf import settings
from django.db import models

from becoming.workspaces.models import Workspace


class Segment(models.Model):
    """The customer list's query parameters (``q``, ``stage_<dimension>``, ``attr``/``value``,
    ``sort``...) under a name; opening it is opening the customer list with them, so a segment
    follows whatever filters the list understands."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="segments")
    name = models.CharField(max_length=120)
    params = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="one_segment_name")]
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
