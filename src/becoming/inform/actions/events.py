"""Webinars and events: invitations by stage, registration, calendar files, attendance.

An event is an Item of kind webinar or event with a start (and end) time and a place or link.
Registration and attendance are readings (``inform.register``, ``inform.attend``), keyed so
registering twice is one registration.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from icalendar import Calendar, Event

from ..models import Interaction, Item
from . import interactions

EVENT_KINDS = (Item.Kind.WEBINAR, Item.Kind.EVENT)


def check_event(item: Item) -> None:
    if item.kind not in EVENT_KINDS or item.starts is None:
        raise ValidationError(f"{item.title}: not a webinar or event with a start time")


def register(item: Item, contact) -> Interaction | None:
    """The contact registers for the event (a no-op the second time)."""
    check_event(item)
    return interactions.record(item.workspace, item, contact.customer, "register", contact=contact,
                               key=f"register-{item.pk}-{contact.pk}", source="portal")


def mark_attended(item: Item, contact) -> Interaction | None:
    check_event(item)
    return interactions.record(item.workspace, item, contact.customer, "attend", contact=contact,
                               time=item.starts, key=f"attend-{item.pk}-{contact.pk}", source="app")


def registrations(item: Item):
    return (Interaction.objects.filter(item=item, type__in=["register", "attend"])
            .select_related("customer", "contact").order_by("type", "-time"))


def upcoming(workspace, now: dt.datetime | None = None):
    now = now or timezone.now()
    return Item.objects.filter(workspace=workspace, kind__in=EVENT_KINDS, starts__gte=now).order_by("starts")


def ics(item: Item) -> bytes:
    """The event as an iCalendar file (RFC 5545), for a calendar attachment or download."""
    check_event(item)
    cal = Calendar()
    cal.add("prodid", "-//Becoming//Inform//EN")
    cal.add("version", "2.0")
    event = Event()
    event.add("uid", f"inform-{item.workspace_id}-{item.pk}@becoming")
    event.add("summary", item.title)
    event.add("dtstart", item.starts)
    assert item.starts is not None  # checked above
    event.add("dtend", item.ends or item.starts + dt.timedelta(hours=1))
    event.add("dtstamp", timezone.now())
    if item.place:
        event.add("location", item.place)
    description = item.summary or ""
    if item.url:
        description = f"{description}\n{item.url}".strip()
        event.add("url", item.url)
    if description:
        event.add("description", description)
    cal.add_component(event)
    return cal.to_ical()
