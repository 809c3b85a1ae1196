"""`/api/v1/portal`: invite contacts to the customer portal (the staff page's invite form)."""

from ninja import Router, Schema
from pydantic import Field

from becoming.api.auth import require
from becoming.api.schemas import Error

from . import actions

router = Router(tags=["portal"])


class InviteIn(Schema):
    email: str = Field(default="", description="One contact's email")
    dimension: str = Field(default="", description="With stage: every contact of customers at that stage")
    stage: int | None = Field(default=None, ge=0, description="The stage's index on the dimension (0 first)")
    attribute: str = Field(default="", description="With value: every contact of that segment")
    value: str = ""


class Invited(Schema):
    contact: str
    email: str
    customer_id: str


class InviteOut(Schema):
    invited: int
    contacts: list[Invited]


@router.post("/portal/invitations", response={200: InviteOut, 400: Error})
def invite(request, body: InviteIn):
    """Email portal sign-in links (valid 7 days) to the contacts chosen; the links are not returned."""
    require(request, "member")
    sent = actions.invite_contacts(request.workspace, request.build_absolute_uri("/"), **body.dict())
    return {"invited": len(sent), "contacts": [
        {"contact": c.name, "email": c.email, "customer_id": c.customer.external_id} for c, _ in sent]}
