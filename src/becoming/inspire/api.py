"""`/api/v1/inspire`: peers, goals, stories, consent and champions — what the pages do."""

import datetime as dt

from django.http import Http404
from ninja import Query, Router, Schema
from pydantic import Field

from becoming.api.auth import require
from becoming.api.schemas import OFFSET_MAX, PAGE_MAX, Error

from .actions import champions as champion_actions
from .actions import goals as goal_actions
from .actions import peers as peer_actions
from .actions import stories as story_actions

router = Router(tags=["inspire"])


def _found(fn, *args):
    from django.core.exceptions import ValidationError

    try:
        return fn(*args)
    except ValidationError:
        raise Http404("not found") from None


class PeerRow(Schema):
    customer_id: str
    dimension: str
    stage_index: int
    peer_group: str
    peers: int
    percentile: float
    peers_ahead: int


@router.get("/inspire/peers", response={200: list[PeerRow], 400: Error})
def peers(request, peer_attribute: list[str] = Query([]), min_peers: int = Query(30, ge=1),
          as_of: dt.date | None = None, offset: int = Query(0, ge=0, le=OFFSET_MAX),
          limit: int = Query(100, ge=1, le=PAGE_MAX)):
    """Where each customer stands among peers per dimension (as `becoming inspire peers`)."""
    rows = peer_actions.peer_rows(request.workspace, peer_attribute, min_peers, as_of)
    return rows.slice(offset, limit).to_pylist()


class GoalOut(Schema):
    id: int
    customer_id: str
    dimension: str
    from_index: int
    goal_index: int
    goal_date: dt.date | None
    stretch_index: int | None
    stretch_date: dt.date | None
    peers: int
    basis: str
    status: str
    customer_accepted: bool
    reached: bool
    missed: bool


def _goal(g: dict) -> dict:
    goal = g["goal"]
    return {"id": goal.pk, "customer_id": goal.customer.external_id, "dimension": goal.dimension,
            "from_index": goal.from_index, "goal_index": goal.goal_index, "goal_date": goal.goal_date,
            "stretch_index": goal.stretch_index, "stretch_date": goal.stretch_date, "peers": goal.peers,
            "basis": goal.basis, "status": goal.status,
            "customer_accepted": goal.customer_accepted_on is not None,
            "reached": g["reached"], "missed": g["missed"]}


@router.get("/inspire/goals", response={200: list[GoalOut], 400: Error})
def goals(request, status: str = Query("", pattern="^(|proposed|accepted|reached|dropped)$"),
          at_risk: bool = False, offset: int = Query(0, ge=0, le=OFFSET_MAX),
          limit: int = Query(100, ge=1, le=PAGE_MAX)):
    """Stored goals with their progress; `at_risk=true`: accepted goals missed or due in 30 days."""
    if at_risk:
        return [_goal(g) for g in goal_actions.at_risk(request.workspace)[offset:offset + limit]]
    page = goal_actions.goals_list(request.workspace, status)[offset:offset + limit]
    return [_goal(g) for g in goal_actions.with_progress(page)]


class Proposed(Schema):
    goals: int


@router.post("/inspire/goals/propose", response={200: Proposed, 400: Error})
def propose_goals(request):
    """Propose goals for every assessed customer from what peers did (accepted goals stay)."""
    require(request, "member")
    return {"goals": goal_actions.save_proposals(request.workspace)}


class GoalPatch(Schema):
    goal_index: int | None = Field(default=None, ge=0)
    goal_date: dt.date | None = None
    stretch_index: int | None = Field(default=None, ge=0)
    stretch_date: dt.date | None = None
    status: str | None = Field(default=None, pattern="^(proposed|accepted|reached|dropped)$")


@router.patch("/inspire/goals/{goal_id}", response={200: GoalOut, 400: Error, 404: Error})
def edit_goal(request, goal_id: int, body: GoalPatch):
    """Edit or accept a goal."""
    require(request, "member")
    goal = _found(goal_actions.goal_of, request.workspace, goal_id)
    goal = goal_actions.update_goal(goal, **body.dict())
    return _goal(goal_actions.with_progress([goal])[0])


class StoryOut(Schema):
    id: int
    customer_id: str
    dimension: str
    from_stage: str
    to_stage: str
    moved_on: dt.date
    days_taken: int | None
    signals_before: list[str]
    title: str
    body: str
    status: str
    consent: bool
    shown_title: str = Field(description="The title as customers read it (named only with consent)")
    shown_body: str


def _story(s, consent: set) -> dict:
    shown = story_actions.rendered(s, s.customer_id in consent)
    return {"id": s.pk, "customer_id": s.customer.external_id, "dimension": s.dimension,
            "from_stage": s.from_stage, "to_stage": s.to_stage, "moved_on": s.moved_on,
            "days_taken": s.days_taken, "signals_before": s.signals_before, "title": s.title,
            "body": s.body, "status": s.status, "consent": s.customer_id in consent,
            "shown_title": shown["title"], "shown_body": shown["body"]}


@router.get("/inspire/stories", response={200: list[StoryOut], 400: Error})
def stories(request, status: str = Query("", pattern="^(|draft|published)$"),
            offset: int = Query(0, ge=0, le=OFFSET_MAX), limit: int = Query(100, ge=1, le=PAGE_MAX)):
    """Drafted and published stories, newest move first."""
    consent = story_actions.consented_ids(request.workspace)
    return [_story(s, consent) for s in story_actions.stories_list(request.workspace, status)[offset:offset + limit]]


class Drafted(Schema):
    drafted: int


@router.post("/inspire/stories/draft", response={200: Drafted, 400: Error})
def draft_stories(request, since: dt.date | None = None):
    """Draft a story for every move up in the history not drafted yet."""
    require(request, "member")
    return {"drafted": story_actions.draft_stories(request.workspace, since)}


class StoryPatch(Schema):
    title: str | None = Field(default=None, max_length=200)
    body: str | None = Field(default=None, max_length=20000)
    status: str | None = Field(default=None, pattern="^(draft|published)$")


@router.patch("/inspire/stories/{story_id}", response={200: StoryOut, 400: Error, 404: Error})
def edit_story(request, story_id: int, body: StoryPatch):
    """Edit a story; publish it (refused when it names a customer without consent)."""
    require(request, "member")
    story = _found(story_actions.story_of, request.workspace, story_id)
    story = story_actions.edit_story(story, **body.dict())
    return _story(story, story_actions.consented_ids(request.workspace))


class ConsentIn(Schema):
    named: bool
    note: str = Field(default="", max_length=300)


class ConsentOut(Schema):
    customer_id: str
    named: bool


@router.put("/inspire/consent/{customer_id}", response={200: ConsentOut, 400: Error, 404: Error})
def set_consent(request, customer_id: str, body: ConsentIn):
    """Record whether a customer (by external id) may be named in stories."""
    require(request, "member")
    from becoming.customers.models import Customer

    customer = Customer.objects.filter(workspace=request.workspace, external_id=customer_id).first()
    if customer is None:
        raise Http404("no such customer")
    consent = story_actions.set_consent(customer, body.named, None, body.note)
    return {"customer_id": customer.external_id, "named": consent.named}


class ChampionOut(Schema):
    id: int
    contact: str
    email: str
    customer_id: str
    dimension: str
    status: str
    ask: str


def _champion(c) -> dict:
    return {"id": c.pk, "contact": c.contact.name, "email": c.contact.email,
            "customer_id": c.customer.external_id, "dimension": c.dimension, "status": c.status, "ask": c.ask}


@router.get("/inspire/champions", response={200: list[ChampionOut], 400: Error})
def champions(request, status: str = Query("", pattern="^(|proposed|invited|declined)$"),
              offset: int = Query(0, ge=0, le=OFFSET_MAX), limit: int = Query(100, ge=1, le=PAGE_MAX)):
    """Contacts at customers that reached a target stage, and what they were invited to do."""
    return [_champion(c) for c in champion_actions.champions_list(request.workspace, status)[offset:offset + limit]]


class ProposedChampions(Schema):
    proposed: int


@router.post("/inspire/champions/propose", response={200: ProposedChampions, 400: Error})
def propose_champions(request):
    """Propose champions among contacts of customers at their targets."""
    require(request, "member")
    return {"proposed": champion_actions.propose_champions(request.workspace)}


class InviteIn(Schema):
    ask: str = Field(pattern="^(speak|write|mentor|declined)$")


@router.post("/inspire/champions/{champion_id}/invite", response={200: ChampionOut, 400: Error, 404: Error})
def invite_champion(request, champion_id: int, body: InviteIn):
    """Invite a champion to speak, write a case study or mentor (or note they declined)."""
    require(request, "member")
    champion = _found(champion_actions.champion_of, request.workspace, champion_id)
    return _champion(champion_actions.invite_champion(champion, body.ask))
