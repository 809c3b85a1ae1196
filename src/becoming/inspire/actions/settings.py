"""A workspace's choice of peer attributes (who counts as "customers like you")."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from ..models import PeerSetting
from .peers import MIN_PEERS, check_attributes


def peer_settings(workspace) -> PeerSetting:
    """The workspace's setting; an unsaved default (everyone is a peer) when never set."""
    found = PeerSetting.objects.filter(workspace=workspace).first()
    return found or PeerSetting(workspace=workspace, peer_attributes=[], min_peers=MIN_PEERS)


def set_peer_settings(workspace, attributes, min_peers: int = MIN_PEERS) -> PeerSetting:
    names = check_attributes(workspace, attributes)
    if min_peers < 1:
        raise ValidationError("min peers: at least 1")
    setting, _ = PeerSetting.objects.update_or_create(
        workspace=workspace, defaults={"peer_attributes": names, "min_peers": min_peers})
    return setting
