"""`/api/v1/customers`: customers and their contacts."""

import datetime as dt
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from becoming.api.auth import require
from becoming.api.schemas import OFFSET_MAX, PAGE_MAX, Error

from . import actions
from .models import Customer

OPERATION_GROUP = "routes"
router = Router(tags=["customers"])


class CustomerIn(Schema):
    external_id: str = Field(min_length=1, max_length=200)
    name: str | None = None
    kind: str | None = Field(default=None, pattern="^(company|person)$")
    attributes: dict[str, Any] = {}


class CustomerPatch(Schema):
    name: str | None = None
    kind: str | None = Field(default=None, pattern="^(company|person)$")
    attributes: dict[str, Any] = {}
    owner: str | None = Field(default=None, description="The owner's email (a member of the "
                              "workspace); null or \"\" clears it. Left as it is when absent.")
    status: str | None = Field(default=None, description="trial, active or churned (any case)")
    arr: float | None = Field(default=None, ge=0, description="Annual recurring revenue in the "
                              "workspace's currency; null clears it")
    renewal_date: dt.date | None = Field(default=None, description="The next renewal; null clears it")


class CustomerOut(Schema):
    external_id: str
    name: str
    kind: str
    attributes: dict[str, Any]
    stages: dict[str, int]
    index: float | None
    assessed_on: dt.date | None
    owner: str | None = Field(description="The owner's email")
    status: str
    arr: float | None
    renewal_date: dt.date | None

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return obj.owner.email if obj.owner_id else None


class ContactIn(Schema):
    name: str = ""
    email: str = Field(default="", pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")
    title: str = ""


class ContactOut(ContactIn):
    id: int


class CustomerPage(Schema):
    count: int
    next_offset: int | None
    items: list[CustomerOut]


def _customer(request, external_id) -> Customer:
    return get_object_or_404(Customer, workspace=request.workspace, external_id=external_id)


@router.get("/customers", response=CustomerPage)
def list_customers(request, q: str = "",
                   sort: str = Query("", description="name, index or stage_<dimension key>; "
                                     "- first for descending (default: by external id)"),
                   offset: int = Query(0, ge=0, le=OFFSET_MAX), limit: int = Query(100, ge=1, le=PAGE_MAX)):
    """Customers, searched by ``q`` (name or external id). Filter by a stage with
    ``stage_<dimension key>=<stage index>`` (0 is the first stage), and by an attribute with
    ``attr=<name>&value=<value>``, by owner with ``owner=<email>`` (``none``: no owner) and by
    lifecycle with ``status=trial|active|churned``, as the customers page does; ``sort`` also
    takes ``arr`` and ``renewal``."""
    qs = actions.list_customers(request.workspace, request.GET,
                                default_sort="external_id")["customers"].select_related("owner")
    count = qs.count()
    items = list(qs[offset:offset + limit])
    nxt = offset + limit if offset + limit < count else None
    return {"count": count, "next_offset": nxt, "items": items}


@router.post("/customers", response={201: CustomerOut, 200: CustomerOut, 400: Error})
def upsert(request, body: CustomerIn):
    """Create a customer, or update the one with this external id (upsert)."""
    require(request, "member")
    customer, created = actions.upsert_customer(request.workspace, body.external_id, body.name,
                                                body.attributes, kind=body.kind)
    return Status(201 if created else 200, customer)


@router.get("/customers/{external_id}", response={200: CustomerOut, 404: Error})
def get_customer(request, external_id: str):
    return _customer(request, external_id)


@router.patch("/customers/{external_id}", response={200: CustomerOut, 400: Error, 404: Error})
def update_customer(request, external_id: str, body: CustomerPatch):
    require(request, "member")
    customer = _customer(request, external_id)
    given = body.model_fields_set & {"owner", "status", "arr", "renewal_date"}
    account = {name: getattr(body, name) for name in given}
    customer = actions.update_customer(customer, body.name, body.attributes, kind=body.kind,
                                       account=account)
    return customer


@router.delete("/customers/{external_id}", response={204: None, 404: Error})
def delete_customer(request, external_id: str):
    """Delete a customer and their signals."""
    require(request, "admin")
    actions.delete_customer(_customer(request, external_id))
    return Status(204, None)


@router.get("/customers/{external_id}/contacts", response={200: list[ContactOut], 404: Error})
def list_contacts(request, external_id: str):
    return list(_customer(request, external_id).contacts.all())


@router.post("/customers/{external_id}/contacts", response={201: ContactOut, 404: Error})
def add_contact(request, external_id: str, body: ContactIn):
    require(request, "member")
    return Status(201, actions.add_contact(_customer(request, external_id), **body.dict()))


@router.delete("/customers/{external_id}/contacts/{contact_id}", response={204: None, 404: Error})
def delete_contact(request, external_id: str, contact_id: int):
    require(request, "member")
    actions.remove_contact(get_object_or_404(_customer(request, external_id).contacts, pk=contact_id))
    return Status(204, None)


class AttributeRename(Schema):
    name: str = Field(min_length=1, max_length=200, description="The attribute's new name")


class AttributeChange(Schema):
    name: str
    customers: int = Field(description="Customers that hold a value of it")


@router.patch("/attributes/{name}", response={200: AttributeChange, 400: Error, 404: Error})
def rename_attribute(request, name: str, body: AttributeRename):
    """Rename a customer attribute, on every customer."""
    require(request, "admin")
    return {"name": body.name, "customers": actions.rename_attribute(request.workspace, name, body.name)}


@router.delete("/attributes/{name}", response={200: AttributeChange, 400: Error, 404: Error})
def drop_attribute(request, name: str):
    """Delete a customer attribute and its value from every customer."""
    require(request, "admin")
    return {"name": name, "customers": actions.drop_attribute(request.workspace, name)}
