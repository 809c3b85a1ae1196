"""Inspire's pages: goals (with the goals at risk), stories, champions; the customer page's
section; and the portal's cards and actions (registered in apps.py)."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from becoming.customers.models import Attribute, Customer
from becoming.portal.access import contact_required
from becoming.transformation.actions import current_model
from becoming.web.access import safe_next, workspace_view
from becoming.web.pagination import paginate, query_without

from .actions import champions as champion_actions
from .actions import goals as goal_actions
from .actions import peers as peer_actions
from .actions import settings as setting_actions
from .actions import stories as story_actions
from .models import Champion, Goal

PER_PAGE = 50


def _date(raw):
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(f"{raw!r} is not a date like 2026-03-31") from None


def _int(raw):
    return int(raw) if str(raw or "").lstrip("-").isdigit() else None


# -- goals ------------------------------------------------------------------------------------

@workspace_view("viewer")
def goals(request):
    ws = request.workspace
    status = request.GET.get("status", "")
    page = paginate(goal_actions.goals_list(ws, status), request.GET.get("page"), counted=True, size=PER_PAGE)
    setting = setting_actions.peer_settings(ws)
    return render(request, "inspire/goals.html", {
        "at_risk": goal_actions.at_risk(ws), "page": page,
        "rows": goal_actions.with_progress(page.object_list), "status": status,
        "statuses": Goal.Status.choices, "query": query_without(request.GET, "page"),
        "setting": setting, "attributes": Attribute.objects.filter(workspace=ws).values_list("name", flat=True),
        "has_model": current_model(ws) is not None})


@require_POST
@workspace_view("member")
def goals_propose(request):
    ws = request.workspace
    customer = None
    if request.POST.get("customer"):
        customer = get_object_or_404(Customer, workspace=ws, pk=_int(request.POST["customer"]) or 0)
    try:
        changed = goal_actions.save_proposals(ws, customer)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, f"{changed} goal{'s' if changed != 1 else ''} proposed from what peers did.")
    return redirect(safe_next(request, reverse("inspire_goals", args=[ws.slug])))


@require_POST
@workspace_view("member")
def goal_edit(request, pk):
    ws = request.workspace
    try:
        goal = goal_actions.goal_of(ws, pk)
        form = request.POST
        goal_actions.update_goal(goal, user=request.user, goal_index=_int(form.get("goal_index")),
                                 goal_date=_date(form.get("goal_date")),
                                 stretch_index=_int(form.get("stretch_index")),
                                 stretch_date=_date(form.get("stretch_date")),
                                 status=form.get("status") or None)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, "Goal saved.")
    return redirect(safe_next(request, reverse("inspire_goals", args=[ws.slug])))


@require_POST
@workspace_view("admin")
def peer_settings(request):
    try:
        setting_actions.set_peer_settings(request.workspace, request.POST.getlist("attribute"),
                                          _int(request.POST.get("min_peers")) or peer_actions.MIN_PEERS)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, "Peer groups saved. Propose goals again to use them.")
    return redirect("inspire_goals", slug=request.workspace.slug)


# -- stories ----------------------------------------------------------------------------------

@workspace_view("viewer")
def stories(request):
    ws = request.workspace
    status = request.GET.get("status", "draft")
    page = paginate(story_actions.stories_list(ws, status), request.GET.get("page"), counted=True, size=PER_PAGE)
    consent = story_actions.consented_ids(ws)
    return render(request, "inspire/stories.html", {
        "page": page, "status": status, "query": query_without(request.GET, "page"),
        "rows": [{"story": s, **story_actions.rendered(s, s.customer_id in consent),
                  "consent": s.customer_id in consent} for s in page.object_list],
        "counts": story_actions.counts(ws)})


@require_POST
@workspace_view("member")
def stories_draft(request):
    try:
        made = story_actions.draft_stories(request.workspace, _date(request.POST.get("since")))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, f"{made} new draft stor{'ies' if made != 1 else 'y'} from the stage history."
                         if made else "No new transitions since the last drafts.")
    return redirect("inspire_stories", slug=request.workspace.slug)


@workspace_view("viewer")
def story_edit(request, pk):
    ws = request.workspace
    try:
        story = story_actions.story_of(ws, pk)
    except ValidationError:
        raise Http404("no such story") from None
    if request.method == "POST":
        if not request.membership.can("member"):
            return render(request, "web/forbidden.html", status=403)
        try:
            story_actions.edit_story(story, title=request.POST.get("title"), body=request.POST.get("body"),
                                     status=request.POST.get("status") or None)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, "Story saved.")
            return redirect("inspire_story", slug=ws.slug, pk=story.pk)
    consented = story_actions.named(story.customer)
    return render(request, "inspire/story.html", {
        "story": story, "preview": story_actions.rendered(story, consented), "consented": consented,
        "anonymous": story_actions.anonymous_name(story.customer)})


@require_POST
@workspace_view("member")
def consent(request, customer):
    found = get_object_or_404(Customer, workspace=request.workspace, pk=customer)
    story_actions.set_consent(found, request.POST.get("named") == "yes", request.user,
                              request.POST.get("note", ""))
    messages.success(request, f"{found.display_name} {'may' if request.POST.get('named') == 'yes' else 'may not'} be named in stories.")
    return redirect(safe_next(request, reverse("customer", args=[request.workspace.slug, found.pk])))


# -- champions --------------------------------------------------------------------------------

@workspace_view("viewer")
def champions(request):
    ws = request.workspace
    status = request.GET.get("status", "")
    page = paginate(champion_actions.champions_list(ws, status), request.GET.get("page"), counted=True,
                    size=PER_PAGE)
    model = current_model(ws)
    return render(request, "inspire/champions.html", {
        "page": page, "status": status, "statuses": Champion.Status.choices, "asks": Champion.Ask.choices,
        "dimensions": {d.key: d for d in model.dimensions} if model else {},
        "query": query_without(request.GET, "page")})


@require_POST
@workspace_view("member")
def champions_propose(request):
    try:
        made = champion_actions.propose_champions(request.workspace)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, f"{made} new champion{'s' if made != 1 else ''} proposed.")
    return redirect("inspire_champions", slug=request.workspace.slug)


@require_POST
@workspace_view("member")
def champion_invite(request, pk):
    try:
        champion = champion_actions.champion_of(request.workspace, pk)
        champion_actions.invite_champion(champion, request.POST.get("ask", ""), request.user)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, "Champion updated.")
    return redirect(safe_next(request, reverse("inspire_champions", args=[request.workspace.slug])))


# -- the customer page ------------------------------------------------------------------------

def customer_section(customer, request) -> dict:
    return {"goals": goal_actions.with_progress(Goal.objects.filter(customer=customer).select_related("customer")),
            "peers": peer_actions.aspirations(customer),
            "consented": story_actions.named(customer),
            "statuses": Goal.Status.choices}


# -- the portal -------------------------------------------------------------------------------

def portal_goals(contact, request):
    goals = goal_actions.with_progress(
        Goal.objects.filter(customer=contact.customer, status__in=[Goal.Status.ACCEPTED, Goal.Status.REACHED])
        .select_related("customer"))
    return {"goals": goals}


def portal_peers(contact, request):
    peers = peer_actions.aspirations(contact.customer)
    return {"peers": peers} if peers else None


def portal_stories(contact, request):
    found = story_actions.published_for(contact)
    return {"stories": found} if found else None


@require_POST
@contact_required
def portal_goal_accept(request, pk):
    try:
        goal_actions.customer_accepts(request.contact, pk)
    except Goal.DoesNotExist:
        raise Http404("no such goal") from None
    messages.success(request, "Goal accepted: we will work towards it together.")
    return redirect("portal_home")


@contact_required
def portal_stories_page(request):
    return render(request, "inspire/portal/stories.html", {
        "stories": story_actions.published_for(request.contact, limit=50),
        "portal_contact": request.contact, "workspace_name": request.contact.workspace.name,
        "viewing_as": request.viewing_as})
