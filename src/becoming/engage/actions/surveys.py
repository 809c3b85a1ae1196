"""Surveys that measure transformation: building, inviting, answering, and what answers become.

A numeric answer becomes a signal (kind "answer", type = the question key), so the model's
`answer` criteria can use it; a free-text answer becomes feedback. Personal links carry a
signed token naming the invitation; it expires after the survey's `link_days` and works until
the response is submitted, after which it shows the respondent that they are done.
"""

import datetime as dt

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from becoming.customers.models import Contact
from becoming.signals.actions import ingest_batch
from becoming.transformation.actions import current_version

from ..models import Invitation, Question, Response, Survey
from . import market

SALT = "becoming.survey"
REMIND_AFTER = dt.timedelta(days=3)
MAX_REMINDERS = 2
SCALES: dict[str, tuple[int, int]] = {Question.Kind.SCALE_5: (1, 5), Question.Kind.SCALE_10: (0, 10)}


# -- building ----------------------------------------------------------------------------

def self_assessment(workspace, user=None) -> Survey:
    """A survey with one question per model dimension whose choices are the stages."""
    version = current_version(workspace)
    if version is None:
        raise ValidationError("apply a transformation model first: the self-assessment asks about its stages")
    model = version.parsed()
    with transaction.atomic():
        survey = Survey.objects.create(
            workspace=workspace, title="Where do you stand today?", self_assessment=True,
            intro=model.vision, created_by=user,
        )
        add_dimension_questions(survey, model)
    return survey


def add_dimension_questions(survey: Survey, model, prefix: str = "self") -> None:
    """One required question per model dimension whose choices are its stages (value: the
    stage's index), keyed ``<prefix>_<dimension key>``."""
    for order, dim in enumerate(model.dimensions):
        Question.objects.create(
            survey=survey, order=order, key=f"{prefix}_{dim.key}", kind=Question.Kind.SINGLE,
            text=f"{dim.name}: which of these best describes you today?", dimension=dim.key,
            required=True, help=dim.description or "",
            choices=[{"value": i, "label": s.name + (f" — {s.description}" if s.description else "")}
                     for i, s in enumerate(dim.stages)],
        )


def ensure_self_assessment(workspace, user=None) -> tuple[Survey, bool]:
    """The open or draft self-assessment asking about the current model's stages, or a new
    one; (survey, created). A model changed since gets a new survey naming its version."""
    version = current_version(workspace)
    if version is None:
        raise ValidationError("apply a transformation model first: the self-assessment asks about its stages")
    wanted = {f"self_{d.key}": [s.name for s in d.stages] for d in version.parsed().dimensions}
    for survey in (Survey.objects.filter(workspace=workspace, self_assessment=True)
                   .exclude(status=Survey.Status.CLOSED).prefetch_related("questions")):
        asked = {q.key: [c["label"].split(" — ")[0] for c in q.choices] for q in survey.questions.all()}
        if asked == wanted:
            return survey, False
    survey = self_assessment(workspace, user)
    if Survey.objects.filter(workspace=workspace, title=survey.title).count() > 1:
        survey.title = f"{survey.title} (model version {version.number})"
        survey.save(update_fields=["title"])
    return survey, True


def numeric_example(survey: Survey) -> dict:
    """A criterion on this survey's first numeric question that some answer can meet: the
    question's key and a value from its own scale or choices."""
    for question in survey.questions.all():
        if question.kind in SCALES:
            low, high = SCALES[question.kind]
            return {"key": question.key, "at_least": high - 1, "values": f"{low} to {high}"}
        values = sorted(c["value"] for c in question.choices if isinstance(c.get("value"), int | float))
        if values:
            pick = values[-2] if len(values) > 1 else values[-1]
            return {"key": question.key, "at_least": pick,
                    "values": ", ".join(str(v) for v in values)}
    return {"key": "your_key", "at_least": 1, "values": ""}


@transaction.atomic
def create_survey(workspace, *, title: str, intro: str = "", link_days: int | None = None,
                  questions=(), user=None) -> Survey:
    """A draft survey with its questions (dicts of add_question's arguments): all or nothing."""
    survey = Survey.objects.create(workspace=workspace, title=title, intro=intro, created_by=user,
                                   **({"link_days": link_days} if link_days is not None else {}))
    for question in questions:
        add_question(survey, **question)
    return survey


def update_survey(survey: Survey, *, title: str, intro: str = "", link_days: int | None = None) -> Survey:
    """Change a survey's title, introduction and how long its new links work."""
    survey.title, survey.intro = title, intro
    if link_days is not None:
        survey.link_days = link_days
    survey.save(update_fields=["title", "intro", "link_days"])
    return survey


def add_question(survey: Survey, *, key: str, text: str, kind: str, choices=None,
                 required=False, help="") -> Question:
    if survey.status == Survey.Status.CLOSED:
        raise ValidationError("this survey is closed; reopen it to add questions")
    if kind not in Question.Kind.values:
        raise ValidationError(f"kind: one of {', '.join(Question.Kind.values)}")
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE) and not choices:
        raise ValidationError("choices: a choice question needs at least one choice")
    if survey.questions.filter(key=key).exists():
        raise ValidationError(f"key: this survey already has a question {key!r}")
    labels = [c if isinstance(c, str) else c["label"] for c in (choices or [])]
    return Question.objects.create(
        survey=survey, key=key, text=text, kind=kind, required=required, help=help,
        order=survey.questions.count(),
        choices=[{"value": i + 1, "label": label} for i, label in enumerate(labels)],
    )


def delete_question(question: Question) -> None:
    """Remove a question from a draft survey and close the gap in the order."""
    survey = question.survey
    if survey.status != Survey.Status.DRAFT:
        raise ValidationError("questions can only be deleted while the survey is a draft")
    question.delete()
    for order, q in enumerate(survey.questions.all()):
        if q.order != order:
            Question.objects.filter(pk=q.pk).update(order=order)


def set_status(survey: Survey, status: str) -> bool:
    """Open or close a survey; False when it already was. A survey opens once it has a question."""
    if status not in (Survey.Status.OPEN, Survey.Status.CLOSED):
        raise ValidationError(f"status: one of {Survey.Status.OPEN}, {Survey.Status.CLOSED}")
    if status == Survey.Status.OPEN and not survey.questions.exists():
        raise ValidationError("Add a question before opening the survey.")
    if survey.status == status:
        return False
    survey.status = status
    survey.save(update_fields=["status"])
    return True


# -- links and invitations ------------------------------------------------------------------

def token_for(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk}, salt=SALT, compress=True)


class LinkError(Exception):
    """A survey link that cannot be answered; `reason` is shown to the respondent."""

    def __init__(self, reason: str, status: int = 410):
        super().__init__(reason)
        self.reason, self.status = reason, status


def invitation_from_token(token: str) -> Invitation:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise LinkError("This link is not valid. Please use the link from your email.") from None
    invitation = (Invitation.objects.select_related("survey", "contact__customer", "panelist")
                  .filter(pk=data.get("i")).first())
    if invitation is None:
        raise LinkError("This survey is no longer available.")
    answered = Response.objects.filter(invitation=invitation, submitted__isnull=False).exists()
    if invitation.survey.status == Survey.Status.CLOSED:
        if answered:
            raise LinkError("You have already answered — thank you. This survey is now closed.")
        raise LinkError("This survey is closed. Thank you for your interest.")
    if invitation.expires < timezone.now():
        raise LinkError("This link has expired. Ask us for a new one if you would still like to answer.")
    if not answered and market.full_cell(invitation.survey, market.attributes_of(invitation)):
        raise LinkError(market.QUOTA_FULL, status=200)  # a polite no: the link is fine, the cell is full
    return invitation


def search_contacts(workspace, q: str):
    """Contacts who can be invited (they have an email), matching ``q`` in their name, email
    or customer."""
    qs = Contact.objects.filter(workspace=workspace).exclude(email="").select_related("customer")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(email__icontains=q) | Q(customer__name__icontains=q)
                       | Q(customer__external_id__icontains=q))
    return qs.order_by("customer__name", "name", "pk")


def stage_reach(survey: Survey, dimension: str, stage: int) -> dict:
    """How many contacts inviting a stage would reach, and how many of them already are."""
    contacts = contacts_at_stage(survey.workspace, dimension, stage)
    return {"count": contacts.count(), "already": survey.invitations.filter(contact__in=contacts).count()}


def contacts_at_stage(workspace, dimension: str, stage: int):
    """Contacts (with an email) of customers at `stage` on `dimension` in the latest assessment."""
    return (Contact.objects.filter(workspace=workspace, **{f"customer__stages__{dimension}": stage})
            .exclude(email=""))


def invite(survey: Survey, contacts, base_url: str, connection=None, panelists=()) -> dict:
    """Create invitations for these contacts and panelists and email each its personal link
    (once). Contacts need a survey for customers, panelists one for the panel."""
    if survey.status == Survey.Status.CLOSED:
        raise ValidationError("this survey is closed")
    if not survey.questions.exists():
        raise ValidationError("add a question before inviting anyone")
    contacts, panelists = list(contacts), list(panelists)
    if contacts and not market.takes_customers(survey):
        raise ValidationError("this survey is for the panel only; set its audience to both to invite contacts")
    if panelists and not market.takes_panel(survey):
        raise ValidationError("this survey is for customers only; set its audience to the panel or both "
                              "to invite panelists")
    # A mail server that does not answer changes nothing: no invitation, the survey's status
    # unchanged, so inviting again is the retry.
    connection = connection or get_connection()
    connection.open()
    expires = timezone.now() + dt.timedelta(days=survey.link_days)
    made = 0
    for contact in contacts:
        if not contact.email or contact.workspace_id != survey.workspace_id:
            continue
        _, created = Invitation.objects.get_or_create(survey=survey, contact=contact, defaults={"expires": expires})
        made += created
    for panelist in panelists:
        if panelist.workspace_id != survey.workspace_id:
            continue
        _, created = Invitation.objects.get_or_create(survey=survey, panelist=panelist,
                                                      defaults={"expires": expires})
        made += created
    if survey.status == Survey.Status.DRAFT:
        survey.status = Survey.Status.OPEN
        survey.save(update_fields=["status"])
    pending = survey.invitations.filter(sent__isnull=True).select_related("contact", "panelist")
    sent = _send(survey, list(pending), base_url, "invitation", connection)
    return {"invited": made, "sent": sent}


def invite_customers(workspace, customers, *, survey: Survey, base_url: str, user=None,
                     connection=None) -> str:
    """A segment's bulk action (``registry.BulkAction``): invite every contact with an email of
    ``customers`` to ``survey``; contacts already invited are not invited twice."""
    if survey.workspace_id != workspace.pk:
        raise ValidationError("survey: not in this workspace")
    contacts = Contact.objects.filter(workspace=workspace, customer__in=customers).exclude(email="")
    if not contacts.exists():
        raise ValidationError("none of these customers has a contact with an email to invite")
    result = invite(survey, contacts, base_url, connection=connection)
    invited, sent = result["invited"], result["sent"]
    return (f"Invited {invited} contact{'s' if invited != 1 else ''} to “{survey.title}”; "
            f"{sent} email{'s' if sent != 1 else ''} sent.")


def remind(survey: Survey, base_url: str, connection=None, now=None) -> int:
    """Email a reminder to invitees who have not answered, at most MAX_REMINDERS each."""
    now = now or timezone.now()
    due = (survey.invitations.select_related("contact", "panelist")
           .filter(sent__isnull=False, expires__gt=now, reminders__lt=MAX_REMINDERS)
           .filter(Q(response__isnull=True) | Q(response__submitted__isnull=True))
           .filter(Q(reminded__isnull=True, sent__lte=now - REMIND_AFTER) | Q(reminded__lte=now - REMIND_AFTER)))
    return _send(survey, list(due), base_url, "reminder", connection)


def _send(survey, invitations, base_url, kind, connection) -> int:
    if not invitations:
        return 0
    connection = connection or get_connection()
    messages = []
    for inv in invitations:
        link = f"{base_url.rstrip('/')}/s/{token_for(inv)}/"
        context = {"survey": survey, "contact": inv.person, "link": link, "reminder": kind == "reminder",
                   "expires": inv.expires, "workspace": survey.workspace}
        subject = ("Reminder: " if kind == "reminder" else "") + survey.title
        text = render_to_string("engage/email/invitation.txt", context)
        message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [inv.person.email],
                                         connection=connection)
        message.attach_alternative(render_to_string("engage/email/invitation.html", context), "text/html")
        messages.append(message)
    connection.send_messages(messages)
    now = timezone.now()
    ids = [inv.pk for inv in invitations]
    if kind == "reminder":
        for inv in invitations:
            Invitation.objects.filter(pk=inv.pk).update(reminded=now, reminders=inv.reminders + 1)
    else:
        Invitation.objects.filter(pk__in=ids).update(sent=now)
    return len(messages)


# -- answering ------------------------------------------------------------------------------

def response_for(invitation: Invitation) -> Response:
    response, _ = Response.objects.get_or_create(
        invitation=invitation,
        defaults={"survey": invitation.survey, "contact": invitation.contact, "panelist": invitation.panelist,
                  "customer": invitation.contact.customer if invitation.contact else None},
    )
    return response


def clean_answer(question: Question, raw):
    """The stored value of one answer, or ValidationError naming the question."""
    if raw in (None, "", []):
        return None
    if question.kind == Question.Kind.TEXT:
        return str(raw).strip()[:5000] or None
    if question.kind == Question.Kind.MULTIPLE:
        values = raw if isinstance(raw, list) else [raw]
        allowed = {c["value"] for c in question.choices}
        picked = sorted({_number(question, v) for v in values})
        if not set(picked) <= allowed:
            raise ValidationError(f"{question.key}: not one of the choices")
        return picked
    value = _number(question, raw)
    if question.kind in SCALES:
        low, high = SCALES[question.kind]
        if not low <= value <= high:
            raise ValidationError(f"{question.key}: between {low} and {high}")
    elif value not in {c["value"] for c in question.choices}:
        raise ValidationError(f"{question.key}: not one of the choices")
    return value


def _number(question, raw):
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ValidationError(f"{question.key}: a number is needed") from None
    return int(value) if value.is_integer() else value


def save_answers(response: Response, raw: dict) -> Response:
    """Keep what was answered so far (the page saves as the respondent goes)."""
    if response.submitted:
        raise ValidationError("this response was already submitted")
    questions = {q.key: q for q in response.survey.questions.all()}
    answers = dict(response.answers)
    for key, value in raw.items():
        if key in questions:
            cleaned = clean_answer(questions[key], value)
            if cleaned is None:
                answers.pop(key, None)
            else:
                answers[key] = cleaned
    response.answers = answers
    response.save(update_fields=["answers", "updated"])
    return response


def keep_answers(invitation: Invitation, raw: dict) -> Response:
    """The respondent's answers so far, kept as they go (until they submit)."""
    response = response_for(invitation)
    if response.submitted:
        raise ValidationError("You have already answered — thank you.")
    return save_answers(response, raw)


def answer(invitation: Invitation, raw: dict) -> Response:
    """Save the respondent's answers, then submit them. The answers are saved first, so they
    are kept when submitting fails (a required answer is missing)."""
    response = response_for(invitation)
    save_answers(response, raw)
    return submit(response)


@transaction.atomic
def submit(response: Response, raw: dict | None = None) -> Response:
    """Finish a response once: answers become signals, free text becomes feedback."""
    response = Response.objects.select_for_update().get(pk=response.pk)
    if response.submitted:
        raise ValidationError("this response was already submitted")
    if raw:
        save_answers(response, raw)
    market.check_quota(response)
    questions = list(response.survey.questions.all())
    missing = [q.text for q in questions if q.required and q.key not in response.answers]
    if missing:
        raise ValidationError([f"please answer: {text}" for text in missing])
    response.submitted = timezone.now()
    response.save(update_fields=["submitted", "updated"])
    _record(response, questions)
    return response


def _record(response: Response, questions) -> None:
    from .feedback import add_feedback

    if response.customer is None:
        return
    workspace = response.survey.workspace
    events = [{"customer_id": response.customer.external_id, "kind": "answer", "type": q.key,
               "time": response.submitted, "value": float(response.answers[q.key]),
               "id": f"survey-{response.pk}-{q.key}"}
              for q in questions
              if q.numeric and q.kind != Question.Kind.MULTIPLE and q.key in response.answers]
    events.append({"customer_id": response.customer.external_id, "kind": "event",
                   "type": "engage.survey_response", "time": response.submitted,
                   "id": f"survey-{response.pk}"})
    ingest_batch(workspace, events)
    for q in questions:
        if q.kind == Question.Kind.TEXT and response.answers.get(q.key):
            add_feedback(workspace, response.answers[q.key], customer=response.customer,
                         contact=response.contact, channel="survey", time=response.submitted,
                         source_id=f"survey-{response.pk}-{q.key}", survey_response=response)
