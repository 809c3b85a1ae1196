"""What customers told us, read back: a survey's results and response rates, and what one
customer said — meetings, feedback, survey answers and where they think they stand — for the
customer page.
"""

from collections import Counter
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db.models import Count, Q

from becoming.transformation.actions import current_model

from ..models import Feedback, Meeting, Question, Response, Survey
from .surveys import SCALES

TEXT_ANSWERS = 200
CUSTOMER_MEETINGS = 10
CUSTOMER_FEEDBACK = 20
CUSTOMER_RESPONSES = 5
PANEL = "panel"  # the segment of panelists' invitations in response rates by stage


# -- surveys --------------------------------------------------------------------------------

def surveys_with_rates(workspace) -> Sequence[Survey]:
    """The workspace's surveys, newest first, each with invited, answered and rate."""
    answered = Q(invitations__response__submitted__isnull=False)
    rows = list(Survey.objects.filter(workspace=workspace)
                .annotate(invited=Count("invitations"), answered=Count("invitations", filter=answered)))
    for row in rows:
        vars(row)["rate"] = row.answered / row.invited if row.invited else None
    return rows


def response_rates(survey: Survey, dimension: str | None = None) -> dict:
    """Invited, answered and rate overall and, with a dimension, per current stage."""
    invitations = survey.invitations.all()
    answered = Q(response__submitted__isnull=False)
    total = invitations.aggregate(invited=Count("id"), answered=Count("id", filter=answered))
    out = {"overall": _rate(total), "segments": []}
    if dimension:
        from becoming.transformation.actions import current_model

        model = current_model(survey.workspace)
        if model is None or dimension not in {d.key for d in model.dimensions}:
            raise ValidationError(f"dimension: {dimension!r} is not a dimension of the current model")
        rows = (invitations.filter(contact__isnull=False).values(f"contact__customer__stages__{dimension}")
                .annotate(invited=Count("id"), answered=Count("id", filter=answered)))
        segments = sorted(
            ({"stage": r[f"contact__customer__stages__{dimension}"], **_rate(r)} for r in rows),
            key=lambda r: (r["stage"] is None, r["stage"] or 0))
        panel = invitations.filter(panelist__isnull=False).aggregate(invited=Count("id"),
                                                                      answered=Count("id", filter=answered))
        if panel["invited"]:  # panelists are no customers: they have no stage
            segments.append({"stage": PANEL, **_rate(panel)})
        out["segments"] = segments
    return out


def _rate(row) -> dict:
    invited, answered = row["invited"] or 0, row["answered"] or 0
    return {"invited": invited, "answered": answered, "rate": answered / invited if invited else None}


def distribution(question: Question, answers: list) -> dict:
    """Counts per scale value or choice of one question's answers."""
    counts: Counter = Counter()
    for value in answers:
        for v in (value if isinstance(value, list) else [value]):
            counts[v] += 1
    if question.kind in SCALES:
        low, high = SCALES[question.kind]
        options = [(v, str(v)) for v in range(low, high + 1)]
    else:
        options = [(c["value"], c["label"]) for c in question.choices]
    return {"labels": [label for _, label in options], "values": [counts.get(v, 0) for v, _ in options],
            "answered": len(answers)}


def survey_results(survey: Survey, dimension=None) -> dict:
    """Response rates (per stage of ``dimension``, a model Dimension, when given), and per
    question a chart of its answers or, for free text, the latest texts."""
    rates = response_rates(survey, dimension.key if dimension else None)
    for seg in rates["segments"]:
        stage = seg["stage"]
        seg["name"] = (dimension.stages[stage].name if isinstance(stage, int) and 0 <= stage < len(dimension.stages)
                       else "The panel (not customers)" if stage == PANEL else "Not assessed")
    responses = list(survey.responses.filter(submitted__isnull=False).select_related("customer", "contact")
                     .order_by("-submitted"))
    results = []
    for q in survey.questions.all():
        given = [r for r in responses if r.answers.get(q.key) not in (None, "", [])]
        item = {"question": q, "answered": len(given)}
        if q.kind == Question.Kind.TEXT:
            item["texts"] = [{"text": r.answers[q.key], "customer": r.customer, "contact": r.contact,
                              "submitted": r.submitted} for r in given[:TEXT_ANSWERS]]
        else:
            item["chart"] = {"id": f"q-{q.pk}", **distribution(q, [r.answers[q.key] for r in given])}
        results.append(item)
    return {"rates": rates, "results": results, "submitted": len(responses)}


# -- a customer -----------------------------------------------------------------------------

def customer_engagement(customer) -> dict:
    """Meetings, feedback, survey answers and the self-assessment shown on a customer's page."""
    return {
        "meetings": (Meeting.objects.filter(customer=customer).prefetch_related("contacts")
                     .order_by("-when", "-id")[:CUSTOMER_MEETINGS]),
        "feedback": (Feedback.objects.filter(customer=customer).select_related("theme", "contact")
                     .order_by("-time", "-id")[:CUSTOMER_FEEDBACK]),
        "responses": customer_responses(customer),
        "self_assessment": self_assessment_notes(customer),
    }


def customer_responses(customer) -> list[dict]:
    """The customer's latest submitted responses, each answer as readable text."""
    responses = []
    for r in (Response.objects.filter(customer=customer, submitted__isnull=False)
              .select_related("survey", "contact").prefetch_related("survey__questions")
              .order_by("-submitted")[:CUSTOMER_RESPONSES]):
        answers = [{"question": q.text, "answer": _answer_text(q, r.answers[q.key])}
                   for q in r.survey.questions.all() if q.key in r.answers]
        responses.append({"response": r, "answers": answers})
    return responses


def _answer_text(question, value) -> str:
    labels = {c.get("value"): c.get("label") for c in question.choices or [] if isinstance(c, dict)}
    if isinstance(value, list):
        return ", ".join(str(labels.get(v, v)) for v in value)
    if labels and value in labels:
        return str(labels[value]).split(" — ")[0]
    return str(value)


def self_assessed_stages(customer) -> dict[str, int]:
    """The latest self-assessed stage per dimension from this customer's submitted answers."""
    out = {}
    responses = (Response.objects.filter(customer=customer, submitted__isnull=False, survey__self_assessment=True)
                 .order_by("submitted").prefetch_related("survey__questions"))
    for response in responses:
        for q in response.survey.questions.all():
            if q.dimension and q.key in response.answers:
                out[q.dimension] = int(response.answers[q.key])
    return out


def self_assessment_notes(customer) -> list[dict]:
    """Per dimension of the current model the customer assessed themselves on: the stage they
    chose and, beside the measured stage (``Customer.stages``), whether the two agree.

    ``gap`` is a sentence for staff where they differ, None where they agree; ``measured`` is
    None while the customer is not assessed on that dimension.
    """
    model = current_model(customer.workspace)
    said = self_assessed_stages(customer) if model else {}
    notes = []
    for dim in model.dimensions if model else []:
        index, measured = said.get(dim.key), (customer.stages or {}).get(dim.key)
        if not isinstance(index, int) or not 0 <= index < len(dim.stages):
            continue
        if not isinstance(measured, int) or not 0 <= measured < len(dim.stages):
            measured = None
        gap = None
        if measured is not None and measured != index:
            gap = (f"Thinks they are {dim.stages[index].name}; the data shows "
                   f"{dim.stages[measured].name} — worth a conversation")
        notes.append({"dimension": dim, "self_name": dim.stages[index].name, "measured": measured, "gap": gap})
    return notes
