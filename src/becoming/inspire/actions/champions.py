"""Champions: contacts at customers that reached a target stage, proposed as inspiring people
whom staff invite to speak, write a case study, or mentor a peer."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from becoming.customers.models import Contact
from becoming.signals.actions import ingest_batch
from becoming.transformation.actions import current_model

from ..models import Champion


def propose_champions(workspace) -> int:
    """For each customer at or above a dimension's target stage, its first contact with an
    email, proposed as that dimension's champion unless one of the customer's contacts already
    was; returns how many were added."""
    model = current_model(workspace)
    if model is None:
        raise ValidationError("apply a transformation model first: champions reached its targets")
    existing = set(Champion.objects.filter(workspace=workspace).values_list("customer_id", "dimension"))
    new = []
    for dim in model.dimensions:
        contacts = (Contact.objects.filter(workspace=workspace, **{f"customer__stages__{dim.key}__gte": dim.target_index})
                    .exclude(email="").order_by("customer_id", "pk").only("pk", "customer_id"))
        for c in contacts:
            if (c.customer_id, dim.key) not in existing:
                existing.add((c.customer_id, dim.key))
                new.append(Champion(workspace=workspace, contact_id=c.pk, customer_id=c.customer_id,
                                    dimension=dim.key))
    with transaction.atomic():
        Champion.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def champion_of(workspace, pk) -> Champion:
    found = Champion.objects.select_related("contact", "customer").filter(workspace=workspace, pk=pk).first()
    if found is None:
        raise ValidationError("no such champion in this workspace")
    return found


def invite_champion(champion: Champion, ask: str, user=None) -> Champion:
    """Staff invite a champion to speak, write or mentor (``inspire.champion_invited``), or
    note that they declined (``ask`` = "declined")."""
    if ask == "declined":
        champion.status = Champion.Status.DECLINED
        champion.save(update_fields=["status"])
        return champion
    if ask not in Champion.Ask.values:
        raise ValidationError(f"ask: one of {', '.join(Champion.Ask.values)}, or declined")
    champion.status, champion.ask = Champion.Status.INVITED, ask
    champion.invited_by, champion.invited_on = user, timezone.now()
    champion.save(update_fields=["status", "ask", "invited_by", "invited_on"])
    ingest_batch(champion.workspace, [{
        "customer_id": champion.customer.external_id, "kind": "event", "type": "inspire.champion_invited",
        "time": champion.invited_on, "id": f"inspire.champion_invited-{champion.pk}-{ask}"}])
    return champion


def champions_list(workspace, status: str = ""):
    qs = Champion.objects.filter(workspace=workspace).select_related("contact", "customer")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("status", "customer__name", "contact__name")
