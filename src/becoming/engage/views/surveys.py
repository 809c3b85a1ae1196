"""Survey pages: the list, the builder, distribution, results, and the respondent's page.

Staff pages go through `workspace_view` (viewers read, members change). The respondent's
page needs no login: its signed token names one invitation, so a respondent only ever sees
their own response.
"""

import smtplib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from becoming.customers.models import Contact
from becoming.transformation.actions import current_model, current_version
from becoming.web.access import workspace_view
from becoming.web.pagination import paginate, query_without

from ..actions import market, panel, results, surveys
from ..forms import QuestionForm, SurveyForm
from ..models import Panelist, Question, Response, Survey

INVITATIONS_PER_PAGE = 50
SEARCH_LIMIT = 50
PANEL_PER_PAGE = 50


def current_dimensions(workspace):
    model = current_model(workspace)
    return list(model.dimensions) if model else []


def survey_of(request, pk) -> Survey:
    return get_object_or_404(Survey, pk=pk, workspace=request.workspace)


def may_change(request) -> bool:
    return request.membership.can("member")


def forbidden():
    return HttpResponseForbidden("this needs the member role or above")


# -- list and creation --------------------------------------------------------------------

@workspace_view("viewer")
def survey_list(request):
    has_model = current_version(request.workspace) is not None
    return render(request, "engage/surveys/list.html",
                  {"surveys": results.surveys_with_rates(request.workspace), "has_model": has_model,
                   "panel_size": Panelist.objects.filter(workspace=request.workspace).count()})


@require_POST
@workspace_view("member")
def survey_market_new(request):
    try:
        survey = market.market_survey(request.workspace, title="How far along is the market?", user=request.user)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("surveys", slug=request.workspace.slug)
    messages.success(request, "Market-research survey created: one question per dimension, for customers and "
                              "the panel. Set its quotas and population shares here.")
    return redirect("survey_market", slug=request.workspace.slug, pk=survey.pk)


@workspace_view("viewer")
def panel_list(request):
    q = request.GET.get("q", "").strip()
    people = panel.search_panel(request.workspace, q)
    page = paginate(people, request.GET.get("page"), counted=not q, size=PANEL_PER_PAGE)
    return render(request, "engage/surveys/panel.html", {
        "page": page, "q": q, "query": query_without(request.GET, "page"),
        "total": Panelist.objects.filter(workspace=request.workspace).count()})


@workspace_view("member")
def survey_new(request):
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        survey = surveys.create_survey(request.workspace, user=request.user, **form.cleaned_data)
        messages.success(request, "Survey created. Add its questions.")
        return redirect("survey", slug=request.workspace.slug, pk=survey.pk)
    return render(request, "engage/surveys/new.html", {"form": form})


@require_POST
@workspace_view("member")
def survey_self_assessment(request):
    try:
        survey, created = surveys.ensure_self_assessment(request.workspace, request.user)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("surveys", slug=request.workspace.slug)
    if created:
        messages.success(request, "Self-assessment generated: one question per dimension of the model.")
    else:
        messages.info(request, "This self-assessment already asks about the current model: here it is.")
    return redirect("survey", slug=request.workspace.slug, pk=survey.pk)


# -- builder ------------------------------------------------------------------------------

def builder_context(survey, form=None):
    return {"survey": survey, "questions": list(survey.questions.all()), "form": form or QuestionForm(),
            "example": surveys.numeric_example(survey)}


@workspace_view("viewer")
def survey_detail(request, pk):
    survey = survey_of(request, pk)
    if request.method == "POST":
        if not may_change(request):
            return forbidden()
        form = SurveyForm(request.POST, instance=survey)
        if form.is_valid():
            surveys.update_survey(survey, **form.cleaned_data)
            messages.success(request, "Survey saved.")
            return redirect("survey", slug=request.workspace.slug, pk=survey.pk)
        return render(request, "engage/surveys/detail.html", {**builder_context(survey), "survey_form": form})
    return render(request, "engage/surveys/detail.html",
                  {**builder_context(survey), "survey_form": SurveyForm(instance=survey)})


@require_POST
@workspace_view("member")
def question_add(request, pk):
    survey = survey_of(request, pk)
    form = QuestionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            surveys.add_question(survey, key=data["key"], text=data["text"], kind=data["kind"],
                                 choices=data["choices"], required=data["required"], help=data["help"])
        except ValidationError as exc:
            for message in exc.messages:
                field, _, text = message.partition(": ")
                if field in form.fields and text:
                    form.add_error(field, text)
                else:
                    form.add_error(None, message)
        else:
            form = None
    context = builder_context(survey, form)
    if request.headers.get("HX-Request"):
        return render(request, "engage/surveys/_questions.html", context)
    if form is not None and form.errors:
        return render(request, "engage/surveys/detail.html", {**context, "survey_form": SurveyForm(instance=survey)})
    return redirect("survey", slug=request.workspace.slug, pk=survey.pk)


@require_POST
@workspace_view("member")
def question_delete(request, pk, question):
    survey = survey_of(request, pk)
    target = get_object_or_404(Question, pk=question, survey=survey)
    error = None
    try:
        surveys.delete_question(target)
    except ValidationError as exc:
        error = "; ".join(exc.messages)
    if request.headers.get("HX-Request"):
        return render(request, "engage/surveys/_questions.html", {**builder_context(survey), "error": error})
    if error:
        messages.error(request, error)
    return redirect("survey", slug=request.workspace.slug, pk=survey.pk)


@require_POST
@workspace_view("member")
def survey_status(request, pk):
    survey = survey_of(request, pk)
    wanted = request.POST.get("status")
    try:
        changed = surveys.set_status(survey, wanted)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        if changed:
            messages.success(request, "Survey opened: its links work." if wanted == Survey.Status.OPEN
                             else "Survey closed: its links no longer take answers.")
    back = request.POST.get("next")
    back = back if back in ("survey", "survey_distribute", "survey_results") else "survey"
    return redirect(back, slug=request.workspace.slug, pk=survey.pk)


# -- distribution -------------------------------------------------------------------------

def stage_choice(workspace, params):
    """(dimension, stage index) picked as "segment=<dimension key>:<stage index>", checked
    against the current model; (None, None) when nothing valid was picked."""
    dimensions = {d.key: d for d in current_dimensions(workspace)}
    key, _, raw = params.get("segment", "").rpartition(":")
    dim = dimensions.get(key)
    if dim is None or not raw.isdigit() or int(raw) >= len(dim.stages):
        return None, None
    return dim, int(raw)


def send_failed(request, exc):
    messages.error(request, f"The mail server refused or could not be reached ({exc}); nothing was lost, try again.")


@workspace_view("viewer")
def survey_distribute(request, pk):
    survey = survey_of(request, pk)
    if request.method == "POST":
        if not may_change(request):
            return forbidden()
        return distribute_action(request, survey)
    q = request.GET.get("q", "").strip()
    found = list(surveys.search_contacts(request.workspace, q)[:SEARCH_LIMIT]) if q else []
    invited = set(survey.invitations.filter(contact__in=found).values_list("contact_id", flat=True))
    invitations = (survey.invitations.select_related("contact__customer", "response")
                   .order_by("-created", "-pk"))
    page = Paginator(invitations, INVITATIONS_PER_PAGE).get_page(request.GET.get("page"))
    panel = None
    if market.takes_panel(survey):
        panel = {"count": Panelist.objects.filter(workspace=request.workspace).count(),
                 "invited": survey.invitations.filter(panelist__isnull=False).count()}
    return render(request, "engage/surveys/distribute.html", {
        "survey": survey, "q": q, "found": found, "invited_ids": invited, "page": page, "panel": panel,
        "dimensions": current_dimensions(request.workspace), "rates": results.response_rates(survey),
    })


def distribute_action(request, survey):
    back = redirect("survey_distribute", slug=request.workspace.slug, pk=survey.pk)
    base_url = request.build_absolute_uri("/")
    action = request.POST.get("action")
    try:
        if action == "remind":
            sent = surveys.remind(survey, base_url)
            messages.success(request, f"Sent {sent} reminder{'s' if sent != 1 else ''}." if sent else
                             "No reminder due: everyone has answered, or was reminded recently.")
            return back
        if action == "invite_panel":
            where = dict(part.split("=", 1) for part in request.POST.get("where", "").split(",") if "=" in part)
            people = panel.panel_where(request.workspace, {k.strip(): v.strip() for k, v in where.items()})
            if not people:
                messages.error(request, "Nobody in the panel has these values.")
                return back
            result = surveys.invite(survey, [], base_url, panelists=people)
            messages.success(request, f"Invited {result['invited']} new panelist{'s' if result['invited'] != 1 else ''}; "
                                      f"sent {result['sent']} email{'s' if result['sent'] != 1 else ''}.")
            return back
        if action == "invite_stage":
            dim, stage = stage_choice(request.workspace, request.POST)
            if dim is None:
                messages.error(request, "Choose a stage of a dimension.")
                return back
            contacts = surveys.contacts_at_stage(request.workspace, dim.key, stage)
        elif action == "invite":
            ids = [i for i in request.POST.getlist("contact") if i.isdigit()]
            contacts = Contact.objects.filter(workspace=request.workspace, pk__in=ids)
            if not ids:
                messages.error(request, "Tick at least one contact to invite.")
                return back
        else:
            return back
        result = surveys.invite(survey, contacts, base_url)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return back
    except (smtplib.SMTPException, OSError) as exc:
        send_failed(request, exc)
        return back
    messages.success(request, f"Invited {result['invited']} new contact{'s' if result['invited'] != 1 else ''}; "
                              f"sent {result['sent']} email{'s' if result['sent'] != 1 else ''}.")
    return back


@require_GET
@workspace_view("viewer")
def survey_preview(request, pk):
    survey = survey_of(request, pk)
    dim, stage = stage_choice(request.workspace, request.GET)
    reach = surveys.stage_reach(survey, dim.key, stage) if dim is not None else {"count": None, "already": None}
    return render(request, "engage/surveys/_preview.html", {"dim": dim, "stage": stage, **reach})


# -- results ------------------------------------------------------------------------------

@workspace_view("viewer")
def survey_results(request, pk):
    survey = survey_of(request, pk)
    dimensions = current_dimensions(request.workspace)
    dim = next((d for d in dimensions if d.key == request.GET.get("dimension")), None)
    if dim is None and "dimension" not in request.GET and dimensions:
        dim = dimensions[0]
    compared = market.customers_vs_market(survey) if survey.audience != Survey.Audience.CUSTOMERS else None
    return render(request, "engage/surveys/results.html", {
        "survey": survey, "dimensions": dimensions, "dim": dim, "compared": compared,
        **results.survey_results(survey, dim)})


# -- market research: audience, quotas, weights ------------------------------------------

@workspace_view("viewer")
def survey_market(request, pk):
    survey = survey_of(request, pk)
    if request.method == "POST":
        if not may_change(request):
            return forbidden()
        try:
            done = market_action(survey, request.POST)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, done)
        return redirect("survey_market", slug=request.workspace.slug, pk=survey.pk)
    weights = [{"attribute": a, "shares": [{"value": v, "percent": round(s * 100, 1)} for v, s in shares.items()]}
               for a, shares in sorted((survey.weights or {}).items())]
    return render(request, "engage/surveys/market.html", {
        "survey": survey, "audiences": Survey.Audience.choices, "cells": market.quota_cells(survey),
        "quotas": list(survey.quotas.all()), "weights": weights,
        "panel_size": Panelist.objects.filter(workspace=request.workspace).count()})


def market_action(survey, data) -> str:
    """Apply one change posted from the market-research tab; what to tell the user."""
    action = data.get("action")
    if action == "audience":
        market.set_audience(survey, data.get("audience", ""))
        return f"The survey is now for: {survey.get_audience_display().lower()}."
    if action in ("quota", "quota_remove"):
        raw = data.get("limit", "").strip()
        if action == "quota" and not raw.isdigit():
            raise ValidationError("limit: a whole number of answers per cell")
        limit = int(raw) if action == "quota" else None
        market.set_quota(survey, data.get("attribute", ""), limit, data.get("value", ""))
        return "Quota saved." if limit else "Quota removed."
    if action in ("weights", "weights_remove"):
        shares = market.parse_shares(data.get("shares", "")) if action == "weights" else None
        if action == "weights" and not shares:
            raise ValidationError("shares: give each value's share, e.g. Retail=40, Energy=60")
        market.set_weights(survey, data.get("attribute", ""), shares)
        return "Population shares saved." if shares else "Population shares removed."
    raise ValidationError("nothing to change")


# -- the respondent's page (no login) -----------------------------------------------------

def _link_error(request, exc):
    return render(request, "engage/respond/unavailable.html", {"reason": exc.reason, "full": exc.status == 200},
                  status=exc.status)


def raw_answers(questions, data) -> dict:
    """The answers in a posted form: every question's field, so a cleared one is removed."""
    return {q.key: (data.getlist(q.key) if q.kind == Question.Kind.MULTIPLE else data.get(q.key, ""))
            for q in questions}


def _questions_with_answers(questions, answers):
    rows = []
    for q in questions:
        value = answers.get(q.key)
        picked = value if isinstance(value, list) else ([] if value is None else [value])
        options = []
        if q.kind in surveys.SCALES:
            low, high = surveys.SCALES[q.kind]
            options = [{"value": v, "label": str(v)} for v in range(low, high + 1)]
        elif q.kind != Question.Kind.TEXT:
            options = q.choices
        rows.append({"q": q, "value": value if value is not None else "",
                     "options": [{**o, "checked": o["value"] in picked} for o in options]})
    return rows


def _form_page(request, token, invitation, answers, errors=(), status=200):
    survey = invitation.survey
    return render(request, "engage/respond/form.html", {
        "survey": survey, "token": token, "contact": invitation.contact, "errors": errors,
        "rows": _questions_with_answers(survey.questions.all(), answers),
        "workspace_name": survey.workspace.name,
    }, status=status)


def respond(request, token):
    try:
        invitation = surveys.invitation_from_token(token)
    except surveys.LinkError as exc:
        return _link_error(request, exc)
    response = Response.objects.filter(invitation=invitation).first()
    if response is not None and response.submitted:
        thanks = request.session.pop(f"survey-thanks-{invitation.pk}", False)
        return render(request, "engage/respond/done.html",
                      {"survey": invitation.survey, "just_now": thanks,
                       "workspace_name": invitation.survey.workspace.name})
    if request.method == "POST":
        try:
            surveys.answer(invitation, raw_answers(invitation.survey.questions.all(), request.POST))
        except ValidationError as exc:
            kept = surveys.response_for(invitation).answers
            return _form_page(request, token, invitation, kept, exc.messages, status=400)
        request.session[f"survey-thanks-{invitation.pk}"] = True
        return redirect("respond", token=token)
    return _form_page(request, token, invitation, response.answers if response else {})


@require_POST
def respond_save(request, token):
    """Keep the answers so far; answers an htmx request with a small status (always 200, so
    htmx shows it, errors included)."""
    try:
        invitation = surveys.invitation_from_token(token)
    except surveys.LinkError as exc:
        return render(request, "engage/respond/_saved.html", {"error": exc.reason})
    try:
        surveys.keep_answers(invitation, raw_answers(invitation.survey.questions.all(), request.POST))
    except ValidationError as exc:
        return render(request, "engage/respond/_saved.html", {"error": "; ".join(exc.messages)})
    return render(request, "engage/respond/_saved.html", {"at": timezone.now()})

