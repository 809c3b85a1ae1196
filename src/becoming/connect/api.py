"""`/api/v1/` for Connect: members, rounds (propose, review, send), gatherings."""

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from becoming.api.auth import require
from becoming.api.schemas import OFFSET_MAX, PAGE_MAX, Error, JobOut
from becoming.connect.actions import gatherings, introductions, members, rounds
from becoming.connect.models import Introduction, Member, Round

router = Router(tags=["connect"])


class MemberOut(Schema):
    id: int
    customer_id: str
    name: str
    capacity: int
    working_on: str
    consent_how: str
    consent_by: str
    consent_at: dt.datetime


class OptInIn(Schema):
    customer_ids: list[str] = Field(min_length=1, max_length=10000)


class RoundIn(Schema):
    mode: str = Field(default="any", pattern="^(any|same-industry|cross-industry)$")
    industry_attribute: str | None = None
    exclude_same: list[str] = []
    text_attributes: list[str] = []
    capacity: int | None = Field(default=None, ge=1, le=10)
    as_of: dt.date | None = None
    name: str | None = Field(default=None, max_length=200)


class PairOut(Schema):
    id: int
    member_a: str
    member_b: str
    score: float
    reason: str
    status: str
    a_answer: str
    b_answer: str


class RoundOut(Schema):
    id: int
    name: str
    mode: str
    status: str
    total: float
    created: dt.datetime
    sent: dt.datetime | None
    pairs: int


class PairPatch(Schema):
    action: str = Field(pattern="^(drop|restore)$", default="drop")
    reason: str | None = Field(default=None, max_length=2000)


class SendIn(Schema):
    base_url: str = Field(min_length=8, max_length=300, description="Where the mailed links point")


class GatheringsIn(Schema):
    size_min: int = Field(ge=2, le=100)
    size_max: int = Field(ge=2, le=100)
    exclude_same: list[str] = []
    text_attributes: list[str] = []


def _member_out(m: Member) -> dict:
    return {"id": m.pk, "customer_id": m.customer.external_id, "name": m.customer.display_name,
            "capacity": m.capacity, "working_on": m.working_on, "consent_how": m.consent_how,
            "consent_by": m.consent_by, "consent_at": m.consent_at}


def _round_out(r: Round) -> dict:
    return {"id": r.pk, "name": r.name, "mode": r.mode, "status": r.status, "total": r.total,
            "created": r.created, "sent": r.sent,
            "pairs": r.introductions.exclude(status=Introduction.Status.DROPPED).count()}


def _pair_out(p: Introduction) -> dict:
    return {"id": p.pk, "member_a": p.a.customer.external_id, "member_b": p.b.customer.external_id,
            "score": p.score, "reason": p.reason, "status": p.status, "a_answer": p.a_answer,
            "b_answer": p.b_answer}


@router.get("/connect/members", response=list[MemberOut])
def list_members(request, q: str = "", challenge: str = "", dimension: str = "", stage: str = "",
                 offset: int = Query(0, ge=0, le=OFFSET_MAX), limit: int = Query(100, ge=1, le=PAGE_MAX)):
    qs, _ = members.filter_members(request.workspace, {"q": q, "challenge": challenge,
                                                        "dimension": dimension, "stage": stage})
    return [_member_out(m) for m in qs[offset:offset + limit]]


@router.post("/connect/members", response={200: dict[str, int], 400: Error})
def opt_in(request, body: OptInIn):
    """Opt customers in on their behalf (consent recorded as staff, with the token's name)."""
    require(request, "member")
    return members.opt_in_ids(request.workspace, body.customer_ids, by=f"API token {request.token.name}")


@router.get("/connect/members/{a}/similar/{b}", response={200: dict, 404: Error})
def why_similar(request, a: int, b: int):
    first = get_object_or_404(Member, workspace=request.workspace, pk=a)
    second = get_object_or_404(Member, workspace=request.workspace, pk=b)
    return members.why_similar(request.workspace, first, second)


@router.get("/connect/rounds", response=list[RoundOut])
def list_rounds(request, offset: int = Query(0, ge=0, le=OFFSET_MAX),
                limit: int = Query(100, ge=1, le=PAGE_MAX)):
    return [_round_out(r) for r in rounds.rounds(request.workspace)[offset:offset + limit]]


@router.post("/connect/rounds", response={201: RoundOut, 400: Error})
def propose(request, body: RoundIn):
    """Propose a round (an optimal matching), stored as a draft for review."""
    require(request, "member")
    result = rounds.propose(request.workspace, **body.model_dump())
    return Status(201, _round_out(result["round"]))


@router.get("/connect/rounds/{round_id}/pairs", response={200: list[PairOut], 404: Error})
def list_pairs(request, round_id: int, offset: int = Query(0, ge=0, le=OFFSET_MAX),
               limit: int = Query(100, ge=1, le=PAGE_MAX)):
    round_ = get_object_or_404(Round, workspace=request.workspace, pk=round_id)
    return [_pair_out(p) for p in rounds.round_pairs(round_)[offset:offset + limit]]


@router.patch("/connect/rounds/{round_id}/pairs/{pair_id}", response={200: PairOut, 400: Error, 404: Error})
def review_pair(request, round_id: int, pair_id: int, body: PairPatch):
    """Drop or keep a proposed pair, or change its reason, before the round is sent."""
    require(request, "member")
    intro = get_object_or_404(Introduction, workspace=request.workspace, round_id=round_id, pk=pair_id)
    return _pair_out(rounds.review(intro, body.action, body.reason))


@router.post("/connect/rounds/{round_id}/send", response={202: JobOut, 400: Error, 404: Error})
def send(request, round_id: int, body: SendIn):
    """Send the round whole: a job mails each side once; poll /jobs/{id}."""
    require(request, "member")
    round_ = get_object_or_404(Round, workspace=request.workspace, pk=round_id)
    return Status(202, introductions.queue_send(round_, body.base_url))


@router.post("/connect/follow-ups", response={202: JobOut})
def follow_ups(request, body: SendIn):
    """Ask "did it help?" of introductions made CONNECT_FOLLOW_UP_DAYS ago (each once); run it
    daily from a scheduler."""
    require(request, "member")
    return Status(202, introductions.queue_follow_ups(request.workspace, body.base_url))


@router.post("/connect/gatherings", response={200: dict, 400: Error})
def form_groups(request, body: GatheringsIn):
    """Groups of size_min to size_max members around shared challenges (not saved)."""
    require(request, "member")
    result = gatherings.form(request.workspace, **body.model_dump())
    return {"groups": result["groups"], "cohesion": round(result["cohesion"], 4)}
