"""What inform's pages show: one function per page that gathers its context, and the few
writes the portal's pages make (a reading recorded, a registration)."""

from __future__ import annotations

from collections import Counter

from django.core.exceptions import ValidationError
from django.http import Http404

from becoming.customers.models import Contact
from becoming.workspaces.models import Workspace

from ..models import Interaction, Issue, Item
from . import content, events, interactions, mail
from .effect import item_effect


def workspace_by_slug(slug: str) -> Workspace:
    ws = Workspace.objects.filter(slug=slug).first()
    if ws is None:
        raise Http404("no such workspace")
    return ws


def library_choices(workspace) -> dict:
    model = content.current_model(workspace)
    dims = [{"key": d.key, "name": d.name, "stages": [(s.key, s.name) for s in d.stages]}
            for d in (model.dimensions if model else [])]
    return {"kinds": Item.Kind.choices, "tags": content.all_tags(workspace, 60), "dimensions": dims,
            "dimension_names": {d["key"]: d["name"] for d in dims},
            "stage_names": {(d["key"], k): n for d in dims for k, n in d["stages"]}}


def _names(workspace):
    model = content.current_model(workspace)
    if model is None:
        return {}, {}
    return ({d.key: d.name for d in model.dimensions},
            {(d.key, s.key): s.name for d in model.dimensions for s in d.stages})


def item_page(workspace, pk) -> dict:
    item = content.get_item(workspace, pk)
    dims, stages = _names(workspace)
    readings = Interaction.objects.filter(item=item)
    by_type = Counter(readings.values_list("type", flat=True))
    labels = dict(Interaction.Type.choices)
    # Readers by their current stage on the item's dimension.
    by_stage = []
    stage_labels: dict[int, str] = {}
    if item.dimension:
        model = content.current_model(workspace)
        dim = next((d for d in model.dimensions if d.key == item.dimension), None) if model else None
        if dim is not None:
            stage_labels = {i: s.name for i, s in enumerate(dim.stages)}
            from becoming.customers.models import Customer

            counts: Counter = Counter()
            reader_pks = readings.values_list("customer_id", flat=True).distinct()
            for customer_stages in Customer.objects.filter(pk__in=reader_pks).values_list("stages", flat=True):
                counts[(customer_stages or {}).get(item.dimension)] += 1
            total = sum(counts.values()) or 1
            by_stage = [{"name": s.name, "count": counts.get(i, 0), "share": counts.get(i, 0) / total}
                        for i, s in enumerate(dim.stages)]
            if counts.get(None):
                by_stage.append({"name": "Not assessed", "count": counts[None], "share": counts[None] / total})
    return {
        "item": item, "body": content.render_markdown(item.body),
        "dimension_name": dims.get(item.dimension, item.dimension),
        "stage_name": stages.get((item.dimension, item.stage), item.stage),
        "toward_name": stages.get((item.dimension, item.toward), item.toward),
        "counts": [{"label": labels[t], "count": by_type.get(t, 0)} for t in Interaction.Type.values],
        "readers": readings.values("customer").distinct().count(),
        "by_stage": by_stage, "stage_labels": stage_labels, "effect": item_effect(item),
        "recent": readings.select_related("customer", "contact").order_by("-time")[:15],
        "registrations": events.registrations(item) if item.kind in events.EVENT_KINDS else None,
    }


def item_initial(item: Item) -> dict:
    return {**{f: getattr(item, f) for f in content.EDITABLE}, "tags": ", ".join(item.tags)}


def issue_initial(issue: Issue) -> dict:
    return {"kind": issue.kind, "subject": issue.subject, "intro": issue.intro, "count": issue.count}


def composer_choices(workspace, issue: Issue | None) -> dict:
    chosen = [i.pk for i in issue.items.all()] if issue else []
    return {"library": Item.objects.filter(workspace=workspace).exclude(kind=Item.Kind.NEWSLETTER)
            .order_by("-published", "-id")[:200], "chosen": chosen, **library_choices(workspace)}


def issue_page(workspace, pk, contact_raw=None) -> dict:
    issue = mail.get_issue(workspace, pk)
    stats = mail.issue_stats(workspace).get(pk=issue.pk)
    contacts = mail.recipients(issue)[:200]
    from becoming.jobs.actions import shown_job

    return {"issue": issue, "stats": stats, "contacts": contacts, "items": issue.items.all(),
            "job": shown_job(workspace, None, ("inform_send",)),
            "failed": issue.deliveries.filter(status="failed")[:20]}


def issue_preview(workspace, pk, contact_raw, base_url: str) -> dict:
    issue = mail.get_issue(workspace, pk)
    contact = None
    if contact_raw and str(contact_raw).isdigit():
        contact = Contact.objects.filter(workspace=workspace, pk=int(contact_raw)).select_related("customer").first()
    contact = contact or mail.recipients(issue).first()
    if contact is None:
        raise ValidationError("no contact with an email to preview for")
    rendered = mail.preview(issue, contact, base_url)
    return {"issue": issue, "contact": contact, **rendered}


def customer_card(customer) -> dict:
    from .recommend import for_customer

    ws = customer.workspace
    recent = interactions.reader_history(ws, customer, limit=8)
    return {"recommendations": for_customer(ws, customer, 5), "reading": recent,
            "has_library": Item.objects.filter(workspace=ws).exists()}


def portal_open(contact, pk) -> Item:
    """A contact opens an item from the portal: a view, recorded (once a day)."""
    from django.utils import timezone

    item = Item.objects.filter(workspace=contact.workspace, pk=pk).first()
    if item is None:
        raise Http404("no such item")
    today = timezone.now().date().isoformat()
    interactions.record(contact.workspace, item, contact.customer, "view", contact=contact,
                        key=f"portal-view-{item.pk}-{contact.pk}-{today}", source="portal")
    return item


def portal_event(contact, pk) -> Item:
    item = Item.objects.filter(workspace=contact.workspace, pk=pk, kind__in=events.EVENT_KINDS).first()
    if item is None or item.starts is None:
        raise Http404("no such event")
    return item


def portal_register(contact, pk) -> None:
    events.register(portal_event(contact, pk), contact)


def upcoming_events(contact) -> list[dict]:
    registered = set(Interaction.objects.filter(contact=contact, type="register").values_list("item_id", flat=True))
    return [{"item": e, "registered": e.pk in registered} for e in events.upcoming(contact.workspace)[:5]]


def mark_attended(workspace, pk, contact_raw) -> None:
    """Staff mark a contact as having attended an event (an ``inform.attend`` signal)."""
    item = content.get_item(workspace, pk)
    contact = (Contact.objects.filter(workspace=workspace, pk=int(contact_raw)).select_related("customer").first()
               if str(contact_raw).isdigit() else None)
    if contact is None:
        raise ValidationError("contact: no such contact in this workspace")
    events.mark_attended(item, contact)
