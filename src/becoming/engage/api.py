"""`/api/v1/` for the Engage lever: feedback, themes, meetings, surveys."""

import datetime as dt
from typing import Annotated, Any

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from becoming.api.auth import require
from becoming.api.schemas import OFFSET_MAX, Error, JobOut
from becoming.customers.models import Contact, Customer
from becoming.engage.actions import board, meetings, results, surveys
from becoming.engage.actions.feedback import add_feedback_items, filter_feedback
from becoming.engage.actions.themes import edit_theme, merge_themes, split_theme
from becoming.engage.models import Feedback, Meeting, Survey, Theme
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
    return surveys.invite(survey, contacts, request.build_absolute_uri("/"))


@router.post("/surveys/{survey_id}/reminders", response={200: dict[str, int], 404: Error})
def remind(request, survey_id: int):
    require(request, "member")
    return {"sent": surveys.remind(_survey(request, survey_id), request.build_absolute_uri("/"))}


@router.get("/surveys/{survey_id}/rates", response={200: dict[str, Any], 404: Error})
def rates(request, survey_id: int, dimension: str = ""):
    """Response rate overall and, with a dimension, per current stage."""
    return results.response_rates(_survey(request, survey_id), dimension or None)
