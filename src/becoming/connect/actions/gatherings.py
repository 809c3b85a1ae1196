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


def gatherings_of(workspace):
    return Gathering.objects.filter(workspace=workspace)


def seats(gathering: Gathering):
    return gathering.seats.select_related("member__customer").order_by("group", "member__customer__name")


def set_rsvp(seat: Seat, answer: str) -> Seat:
    if answer not in (Seat.Rsvp.YES, Seat.Rsvp.NO):
        raise ValidationError("rsvp: yes or no")
    seat.rsvp = answer
    seat.save(update_fields=["rsvp"])
    return seat


def set_attended(seat: Seat, attended: bool) -> Seat:
    """Record attendance; who came becomes a ``connect.attended`` signal (keyed by the seat)."""
    record_attendance(seat.gathering, {seat.pk: attended})
    seat.refresh_from_db()
    return seat


def record_attendance(gathering: Gathering, attended: dict[int, bool]) -> int:
    """Attendance of many seats at once (database first, then one append of the signals of
    those who came; re-sending them is a no-op)."""
    from becoming.signals.actions import ingest_batch

    seats = list(gathering.seats.filter(pk__in=list(attended)).select_related("member__customer"))
    for seat in seats:
        seat.attended = bool(attended[seat.pk])
    Seat.objects.bulk_update(seats, ["attended"], batch_size=500)
    events = [{"customer_id": s.member.customer.external_id, "kind": "event", "type": "connect.attended",
               "time": gathering.starts, "id": f"connect-attended-{s.pk}"} for s in seats if s.attended]
    if events:
        ingest_batch(gathering.workspace, events)
    return len(events)


def ics(gathering: Gathering, seat: Seat | None = None) -> bytes:
    """The invitation as an iCalendar file (the ``icalendar`` library)."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//Becoming//Connect//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"gathering-{gathering.pk}@becoming")
    event.add("summary", gathering.title + (f" (table {seat.group})" if seat else ""))
    event.add("dtstart", gathering.starts)
    event.add("dtend", gathering.starts + dt.timedelta(minutes=gathering.minutes))
    event.add("dtstamp", gathering.created)
    if gathering.location:
        event.add("location", gathering.location)
    if gathering.topic:
        event.add("description", gathering.topic)
    cal.add_component(event)
    return cal.to_ical()


def invite(gathering: Gathering, connection=None) -> int:
    """Mail each seated member's first contact the invitation with its .ics attached (once:
    the seat's mark and the mail commit together)."""
    from django.conf import settings
    from django.core.mail import EmailMessage, get_connection
    from django.template.loader import render_to_string
    from django.utils import timezone

    connection = connection or get_connection()
    sent = 0
    for seat in gathering.seats.filter(invited__isnull=True).select_related("member__customer"):
        contact = seat.member.customer.contacts.exclude(email="").order_by("id").first()
        if contact is None:
            continue
        with transaction.atomic():
            Seat.objects.filter(pk=seat.pk).update(invited=timezone.now())
            message = EmailMessage(
                f"Invitation: {gathering.title}",
                render_to_string("connect/email/gathering.txt",
                                 {"gathering": gathering, "seat": seat, "contact": contact}),
                settings.DEFAULT_FROM_EMAIL, [contact.email], connection=connection)
            message.attach(f"gathering-{gathering.pk}.ics", ics(gathering, seat), "text/calendar")
            message.send()
        sent += 1
    return sent
