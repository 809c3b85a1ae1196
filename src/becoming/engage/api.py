"""`/api/v1/` for the Engage lever: feedback, themes, meetings, surveys."""

import datetime as dt
from typing import Annotated, Any

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from becoming.api.auth import require
from becoming.api.schemas import OFFSET_MAX, Error, JobOut
from becoming.customers.models import Contact, Customer
from becoming.engage.actions import board, market, meetings, panel, results, social, surveys
from becoming.engage.actions.feedback import add_feedback_items, filter_feedback
from becoming.engage.actions.themes import edit_theme, merge_themes, split_theme
from becoming.engage.models import Feedback, Meeting, Panelist, Survey, Theme
from becoming.jobs.actions import enqueue

# Database ids: a number past what a column holds is a bad request, not a server error.
ContactId = Annotated[int, Field(ge=1, le=2**62)]
router = Router(tags=["engage"])
PAGE_MAX = 500


class FeedbackIn(Schema):
    text: str = Field(min_length=1, max_length=20000)
    customer_id: str | None = None
    channel: str = "api"
    time: dt.datetime | None = None
    id: str | None = Field(default=None, description="Its id in the source; re-sent ids are skipped")


class FeedbackBatch(Schema):
    items: list[FeedbackIn] = Field(max_length=1000)


class FeedbackOut(Schema):
    id: int
    text: str
    customer_id: str | None
    channel: str
    time: dt.datetime
    theme: str | None
    source_id: str


class ThemeOut(Schema):
    key: str
    title: str
    label: str
    name: str
    key_phrases: list[str]
    size: int
    customers: int
    dimension: str


class ThemePatch(Schema):
    name: str | None = None
    dimension: str | None = None


class DiscoverIn(Schema):
    themes: int | None = Field(default=None, ge=1, description="How many; none for automatic")
    granularity: float = Field(default=0.5, ge=0, le=1)


class MeetingIn(Schema):
    customer_id: str
    kind: str = Field(pattern="^(visit|meeting|call)$")
    when: dt.datetime
    title: str = ""
    notes: str = ""
    next_steps: str = ""
    contact_ids: list[ContactId] = []


class MeetingOut(Schema):
    id: int
    customer_id: str
    kind: str
    when: dt.datetime
    title: str
    notes: str
    next_steps: str


class SilentOut(Schema):
    customer_id: str
    name: str
    last_conversation: dt.datetime | None


class QuestionIn(Schema):
    key: str = Field(pattern=r"^[a-z0-9_-]+$")
    text: str = Field(min_length=1)
    kind: str
    choices: list[str] = []
    required: bool = False
    help: str = ""


class SurveyIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    intro: str = ""
    questions: list[QuestionIn] = []


class SurveyOut(Schema):
    id: int
    title: str
    status: str
    self_assessment: bool
    questions: list[dict[str, Any]]


class InviteIn(Schema):
    contact_ids: list[ContactId] = []
    dimension: str | None = None
    stage: int | None = Field(default=None, ge=0, le=100)
    panelist_ids: list[ContactId] = []
    panel: bool = Field(default=False, description="Invite every panelist (with panel_where: those matching)")
    panel_where: dict[str, str] = Field(default={}, description="Only panelists with these attribute values")


class PanelistIn(Schema):
    email: str = Field(min_length=3, max_length=254)
    name: str | None = Field(default=None, max_length=200)
    attributes: dict[str, Any] = {}


class PanelBatch(Schema):
    items: list[PanelistIn] = Field(max_length=1000)


class PanelistOut(Schema):
    id: int
    email: str
    name: str
    attributes: dict[str, Any]


class AudienceIn(Schema):
    audience: str = Field(pattern="^(customers|panel|both)$")


class QuotaIn(Schema):
    attribute: str = Field(min_length=1, max_length=100)
    value: str = Field(default="", max_length=200, description="One cell; empty: every value of the attribute")
    limit: int | None = Field(default=None, ge=1, le=10**9, description="None removes the quota")


class WeightsIn(Schema):
    attribute: str = Field(min_length=1, max_length=100)
    shares: dict[str, float] = Field(default={}, description="{value: share in % or as a fraction}; empty removes")


class MarketSurveyIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    audience: str = Field(default="both", pattern="^(panel|both)$")


class SocialPostIn(Schema):
    text: str = Field(min_length=1, max_length=20000)
    author: str = Field(default="", max_length=200, description="Handle or email address: links the post")
    url: str = Field(default="", max_length=1000)
    time: dt.datetime | None = None
    platform: str = Field(default="", max_length=50)
    id: str | None = Field(default=None, max_length=200, description="Its id in the source; re-sent ids are skipped")


class SocialLinkIn(Schema):
    handle: str = Field(min_length=1, max_length=200)
    customer_id: str = Field(min_length=1, max_length=200)
    contact_email: str | None = Field(default=None, max_length=254)


class SocialBatch(Schema):
    posts: list[SocialPostIn] = Field(max_length=1000)
    links: list[SocialLinkIn] = Field(default=[], max_length=10000,
                                      description="Handles to customers, as the import's --link-file")


class SocialPostOut(Schema):
    id: int
    text: str
    author: str
    url: str
    platform: str
    time: dt.datetime
    customer_id: str | None
    linked_by: str
    sentiment: float
    sentiment_label: str
    theme: str | None


def _customer(request, external_id) -> Customer:
    return get_object_or_404(Customer, workspace=request.workspace, external_id=external_id)


def _theme(request, key) -> Theme:
    return get_object_or_404(Theme, workspace=request.workspace, key=key)


def _feedback_out(f: Feedback) -> dict:
    return {"id": f.pk, "text": f.text, "customer_id": f.customer.external_id if f.customer else None,
            "channel": f.channel, "time": f.time, "theme": f.theme.key if f.theme else None,
            "source_id": f.source_id}


@router.get("/feedback", response=list[FeedbackOut])
def list_feedback(request, theme: str = "", channel: str = "", customer_id: str = "",
                  offset: int = Query(0, ge=0, le=OFFSET_MAX), limit: int = Query(100, ge=1, le=PAGE_MAX)):
    qs, _ = filter_feedback(request.workspace, {"theme": theme, "channel": channel, "customer_id": customer_id})
    return [_feedback_out(f) for f in qs.select_related("customer", "theme")[offset:offset + limit]]


@router.post("/feedback", response={200: dict[str, int], 400: Error})
def add_feedback(request, body: FeedbackBatch):
    """Add feedback items (up to 1,000); each is themed on arrival when themes exist."""
    require(request, "member")
    return add_feedback_items(request.workspace, [item.model_dump() for item in body.items])


@router.get("/themes", response=list[ThemeOut])
def list_themes(request):
    themes = board.themes_by_size(request.workspace)
    return [{"key": t.key, "title": t.title, "label": t.label, "name": t.name, "key_phrases": t.key_phrases,
             "size": t.size, "customers": t.customers, "dimension": t.dimension} for t in themes]


@router.post("/themes/discover", response={202: JobOut})
def discover(request, body: DiscoverIn):
    """Queue theme discovery over all feedback; poll /jobs/{id}."""
    require(request, "member")
    return Status(202, enqueue(request.workspace, "discover_themes",
                               {"n_themes": body.themes, "granularity": body.granularity}))


@router.patch("/themes/{key}", response={200: dict[str, str], 404: Error})
def update_theme(request, key: str, body: ThemePatch):
    require(request, "member")
    theme = edit_theme(_theme(request, key), name=body.name, dimension=body.dimension)
    return {"key": theme.key, "title": theme.title, "dimension": theme.dimension}


@router.post("/themes/{key}/merge", response={200: dict[str, str], 400: Error, 404: Error})
def merge(request, key: str, others: list[str]):
    require(request, "member")
    target = _theme(request, key)
    merge_themes(target, [_theme(request, k) for k in others])
    return {"key": target.key, "title": target.title}


@router.post("/themes/{key}/split", response={200: list[str], 400: Error, 404: Error})
def split(request, key: str, parts: int = Query(2, ge=2, le=6)):
    require(request, "member")
    return [t.key for t in split_theme(_theme(request, key), parts)]


@router.post("/meetings", response={201: MeetingOut, 400: Error, 404: Error})
def log_meeting(request, body: MeetingIn):
    require(request, "member")
    customer = _customer(request, body.customer_id)
    contacts = Contact.objects.filter(customer=customer, pk__in=body.contact_ids)
    meeting = meetings.log_meeting(request.workspace, customer, kind=body.kind, when=body.when,
                                   title=body.title, notes=body.notes, next_steps=body.next_steps,
                                   contacts=list(contacts))
    return Status(201, _meeting_out(meeting))


def _meeting_out(m: Meeting) -> dict:
    return {"id": m.pk, "customer_id": m.customer.external_id, "kind": m.kind, "when": m.when,
            "title": m.title, "notes": m.notes, "next_steps": m.next_steps}


@router.get("/meetings", response=list[MeetingOut])
def list_meetings(request, customer_id: str = "", offset: int = Query(0, ge=0, le=OFFSET_MAX),
                  limit: int = Query(100, ge=1, le=PAGE_MAX)):
    qs, _ = meetings.filter_meetings(request.workspace, {"customer_id": customer_id})
    return [_meeting_out(m) for m in qs.select_related("customer")[offset:offset + limit]]


@router.get("/customers-without-conversation", response=list[SilentOut])
def silent(request, days: int = Query(90, ge=1, le=36500), offset: int = Query(0, ge=0, le=OFFSET_MAX),
           limit: int = Query(100, ge=1, le=PAGE_MAX)):
    """Customers with no meeting, call or visit in the last `days` days, longest silence first."""
    rows = meetings.without_conversation(request.workspace, days)[offset:offset + limit]
    return [{"customer_id": c.external_id, "name": c.name, "last_conversation": c.last_conversation} for c in rows]


def _survey(request, pk) -> Survey:
    return get_object_or_404(Survey, workspace=request.workspace, pk=pk)


def _survey_out(s: Survey) -> dict:
    return {"id": s.pk, "title": s.title, "status": s.status, "self_assessment": s.self_assessment,
            "questions": [{"key": q.key, "text": q.text, "kind": q.kind, "choices": q.choices,
                           "required": q.required, "dimension": q.dimension} for q in s.questions.all()]}


@router.get("/surveys", response=list[SurveyOut])
def list_surveys(request):
    return [_survey_out(s) for s in Survey.objects.filter(workspace=request.workspace).prefetch_related("questions")]


@router.post("/surveys", response={201: SurveyOut, 400: Error})
def create_survey(request, body: SurveyIn):
    require(request, "member")
    survey = surveys.create_survey(request.workspace, title=body.title, intro=body.intro,
                                   questions=[q.model_dump() for q in body.questions])
    return Status(201, _survey_out(survey))


@router.post("/surveys/self-assessment", response={201: SurveyOut, 400: Error})
def create_self_assessment(request):
    """A survey generated from the model: per dimension, which stage describes you today."""
    require(request, "member")
    return Status(201, _survey_out(surveys.self_assessment(request.workspace)))


# Before /surveys/{survey_id}: the first route whose path matches answers.
@router.post("/surveys/market", response={201: SurveyOut, 400: Error})
def create_market_survey(request, body: MarketSurveyIn):
    """A market-research survey from the model: per dimension, which stage describes you today."""
    require(request, "member")
    return Status(201, _survey_out(market.market_survey(request.workspace, title=body.title,
                                                        audience=body.audience)))


@router.get("/surveys/{survey_id}", response={200: SurveyOut, 404: Error})
def get_survey(request, survey_id: int):
    return _survey_out(_survey(request, survey_id))


@router.post("/surveys/{survey_id}/invitations", response={200: dict[str, int], 400: Error, 404: Error})
def invite(request, survey_id: int, body: InviteIn):
    """Email personal links to chosen contacts, or to everyone at a stage on a dimension."""
    require(request, "member")
    survey = _survey(request, survey_id)
    if body.dimension is not None and body.stage is not None:
        contacts = list(surveys.contacts_at_stage(request.workspace, body.dimension, body.stage))
    else:
        contacts = list(Contact.objects.filter(workspace=request.workspace, pk__in=body.contact_ids))
    people = (panel.panel_where(request.workspace, body.panel_where) if body.panel
              else list(Panelist.objects.filter(workspace=request.workspace, pk__in=body.panelist_ids)))
    return surveys.invite(survey, contacts, request.build_absolute_uri("/"), panelists=people)


@router.post("/surveys/{survey_id}/reminders", response={200: dict[str, int], 404: Error})
def remind(request, survey_id: int):
    require(request, "member")
    return {"sent": surveys.remind(_survey(request, survey_id), request.build_absolute_uri("/"))}


@router.get("/surveys/{survey_id}/rates", response={200: dict[str, Any], 404: Error})
def rates(request, survey_id: int, dimension: str = ""):
    """Response rate overall and, with a dimension, per current stage."""
    return results.response_rates(_survey(request, survey_id), dimension or None)


# -- market research --------------------------------------------------------------------------

@router.post("/panelists", response={200: dict[str, int], 400: Error})
def add_panelists(request, body: PanelBatch):
    """Add or update panelists (people to survey who are not customers) by email: all or none."""
    require(request, "member")
    return panel.upsert_panelists(request.workspace, [item.model_dump() for item in body.items])


@router.get("/panelists", response=list[PanelistOut])
def list_panelists(request, q: str = "", offset: int = Query(0, ge=0, le=OFFSET_MAX),
                   limit: int = Query(100, ge=1, le=PAGE_MAX)):
    return [{"id": p.pk, "email": p.email, "name": p.name, "attributes": p.attributes}
            for p in panel.search_panel(request.workspace, q)[offset:offset + limit]]


@router.put("/surveys/{survey_id}/audience", response={200: SurveyOut, 400: Error, 404: Error})
def set_audience(request, survey_id: int, body: AudienceIn):
    require(request, "member")
    return _survey_out(market.set_audience(_survey(request, survey_id), body.audience))


@router.put("/surveys/{survey_id}/quotas", response={200: list[dict[str, Any]], 400: Error, 404: Error})
def set_quota(request, survey_id: int, body: QuotaIn):
    """Set (or, with no limit, remove) a quota; returns every cell with its count and state."""
    require(request, "member")
    survey = _survey(request, survey_id)
    market.set_quota(survey, body.attribute, body.limit, body.value)
    return market.quota_cells(survey)


@router.put("/surveys/{survey_id}/weights", response={200: dict[str, dict[str, float]], 400: Error, 404: Error})
def set_weights(request, survey_id: int, body: WeightsIn):
    """Population shares of one attribute the panel's answers are raked to (empty removes)."""
    require(request, "member")
    return market.set_weights(_survey(request, survey_id), body.attribute, body.shares or None).weights


@router.get("/surveys/{survey_id}/market", response={200: dict[str, Any], 404: Error})
def market_results(request, survey_id: int):
    """Quota cells, and customers against the market per question or dimension: means of the
    customers and of the panel (weighted and not), counts, the effective sample size."""
    survey = _survey(request, survey_id)
    return {"quotas": market.quota_cells(survey), **market.customers_vs_market(survey)}


# -- social posts ---------------------------------------------------------------------------

@router.post("/social", response={200: dict[str, int], 400: Error})
def add_social(request, body: SocialBatch):
    """Add public posts (up to 1,000) as the social import does: linked to customers by known
    handle or email domain, scored for sentiment, themed; re-sent ids are skipped."""
    require(request, "member")
    return social.add_posts(request.workspace, [post.model_dump() for post in body.posts],
                            links=[link.model_dump() for link in body.links])


@router.get("/social", response=list[SocialPostOut])
def list_social(request, platform: str = "", linked: bool | None = None,
                offset: int = Query(0, ge=0, le=OFFSET_MAX), limit: int = Query(100, ge=1, le=PAGE_MAX)):
    """Social posts, newest first; ``linked`` false gives the market voice."""
    return [{"id": p.feedback_id, "text": p.feedback.text, "author": p.author, "url": p.url, "platform": p.platform,
             "time": p.feedback.time, "linked_by": p.linked_by, "sentiment": p.sentiment,
             "sentiment_label": p.sentiment_label, "theme": p.feedback.theme.key if p.feedback.theme else None,
             "customer_id": p.feedback.customer.external_id if p.feedback.customer else None}
            for p in social.list_posts(request.workspace, platform=platform, linked=linked)[offset:offset + limit]]
