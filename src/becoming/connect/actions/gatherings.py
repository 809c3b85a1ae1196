"""Gatherings: groups of a chosen size range around shared challenges, no competitors."""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction

from .. import matching
from ..models import Gathering, Seat
from .members import opted_in
from .profiles import build_profiles, check_attributes


def features(profiles: matching.Profiles) -> np.ndarray:
    """Challenge embedding, with the stages (scaled to [0, 1]) as a few extra coordinates."""
    parts = [profiles.text.astype(np.float64)]
    if profiles.stages is not None and profiles.stages.shape[1]:
        top = np.maximum(np.nanmax(np.where(np.isnan(profiles.stages), 0, profiles.stages), axis=0), 1)
        stages = np.nan_to_num(profiles.stages / top, nan=0.5)
        parts.append(0.3 * stages / np.sqrt(stages.shape[1]))
    return np.hstack(parts)


def form(workspace, *, size_min: int, size_max: int, exclude_same=(), text_attributes=(),
         save: dict | None = None) -> dict:
    """{"groups": [[external ids]], "cohesion": mean similarity, "gathering": saved or None}.

    ``save`` (title, starts, location, topic) stores the groups as a gathering's seats.
    """
    exclude_same = check_attributes(workspace, exclude_same, "--exclude-same")
    text_attributes = check_attributes(workspace, text_attributes, "--text-attribute")
    if size_min < 2 or size_max < size_min:
        raise ValidationError(f"--size-min {size_min} --size-max {size_max}: the minimum must be "
                              "at least 2 and not above the maximum")
    members = list(opted_in(workspace))
    if not members:
        raise ValidationError("no opted-in members: opt customers in first (becoming connect opt-in)")
    try:
        matching.group_sizes(len(members), size_min, size_max)
    except matching.MatchingError as exc:
        raise ValidationError(str(exc)) from None
    profiles = build_profiles(workspace, members, exclude_same=exclude_same,
                              text_attributes=text_attributes)
    x = features(profiles)
    try:
        labels = matching.form_groups(x, size_min, size_max, competitor_key=profiles.competitor_key)
    except matching.MatchingError as exc:
        raise ValidationError(str(exc)) from None
    order = sorted(set(labels.tolist()), key=lambda g: min(np.flatnonzero(labels == g)))
    groups = [[members[i] for i in np.flatnonzero(labels == g)] for g in order]
    gathering = None
    if save:
        starts = save.get("starts")
        if not isinstance(starts, dt.datetime):
            raise ValidationError("starts: when the gathering begins (date and time)")
        with transaction.atomic():
            gathering = Gathering.objects.create(
                workspace=workspace, title=save.get("title") or "Gathering", starts=starts,
                location=save.get("location", ""), topic=save.get("topic", ""),
                size_min=size_min, size_max=size_max)
            Seat.objects.bulk_create([Seat(gathering=gathering, group=n + 1, member=m)
                                      for n, group in enumerate(groups) for m in group])
    return {"groups": [[m.customer.external_id for m in g] for g in groups],
            "cohesion": matching.cohesion(profiles.text, labels), "gathering": gathering}
