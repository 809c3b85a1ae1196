"""The model editor's preview runs the engine: a member's action, not a viewer's."""

from django.urls import reverse
from support import SMALL_MODEL


def test_a_viewer_cannot_run_the_preview(client, workspace, viewer, member):
    url = reverse("model_preview", args=[workspace.slug])
    client.force_login(viewer)
    assert client.post(url, {"text": SMALL_MODEL}).status_code == 403
    client.force_login(member)
    assert client.post(url, {"text": SMALL_MODEL}).status_code == 200
