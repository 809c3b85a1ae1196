"""The portal's own table: the magic links contacts sign in with.

Only a link's id travels in the signed token; the row says whether it was used, so a link
works once, and until its expiry.
"""

from django.db import models

from becoming.customers.models import Contact
from becoming.workspaces.models import Workspace


class MagicLink(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="magic_links")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="magic_links")
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField()
    used = models.DateTimeField(null=True, blank=True)
    # "request" (the contact asked on the sign-in page), "invite" (staff), "demo".
    reason = models.CharField(max_length=20, default="request")

    class Meta:
        indexes = [models.Index(fields=["workspace", "contact"])]
