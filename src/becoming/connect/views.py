"""Connect's pages: the members directory, rounds (review and send), and the public pages
behind the links in the mails (accept/decline, "did it help?"). Each view parses, calls one
action and renders."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from becoming.portal.access import contact_required
from becoming.transformation.actions import current_model
from becoming.web.access import workspace_view
from becoming.web.pagination import paginate, query_without

from .actions import forum as forum_actions
from .actions import gatherings, introductions, members, rounds
from .models import Gathering, Introduction, Member, Post, Round, Seat, Thread, Topic


def _htmx(request) -> bool:
    return bool(request.headers.get("HX-Request"))


@workspace_view("viewer")
def member_list(request):
    ws = request.workspace
    qs, active = members.filter_members(ws, request.GET)
    model = current_model(ws)
    page = paginate(qs, request.GET.get("page"), counted=not active)
    compare = None
    a, b = request.GET.get("a"), request.GET.get("b")
    if a and b and a.isdigit() and b.isdigit():
        pair = [get_object_or_404(Member, workspace=ws, pk=int(x)) for x in (a, b)]
        compare = {"a": pair[0], "b": pair[1], **members.why_similar(ws, pair[0], pair[1])}
    industry = getattr(settings, "CONNECT_INDUSTRY_ATTRIBUTE", "Industry")
    return render(request, "connect/members.html", {
        "page": page, "active": active, "query": query_without(request.GET, "page"),
        "industry": industry, "industries": members.industries(ws, industry),
        "dimensions": list(model.dimensions) if model else [], "compare": compare,
        "total": Member.objects.filter(workspace=ws, opted_in=True).count()})


@workspace_view("viewer")
def round_list(request):
    return render(request, "connect/rounds.html", {"rounds": rounds.rounds(request.workspace)})


@workspace_view("member")
@require_POST
def round_new(request):
    ws = request.workspace
    try:
        result = rounds.propose(ws, mode=request.POST.get("mode") or "any",
                                industry_attribute=request.POST.get("industry_attribute") or None,
                                exclude_same=[a for a in request.POST.getlist("exclude_same") if a],
                                text_attributes=[a for a in request.POST.getlist("text_attribute") if a],
                                user=request.user)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("connect_rounds", ws.slug)
    return redirect("connect_round", ws.slug, result["round"].pk)


@workspace_view("viewer")
def round_detail(request, pk):
    round_ = get_object_or_404(Round, workspace=request.workspace, pk=pk)
    pairs = rounds.round_pairs(round_, request.GET.get("status", ""))
    return render(request, "connect/round.html", {
        "round": round_, "page": paginate(pairs, request.GET.get("page"), counted=True, size=100),
        "query": query_without(request.GET, "page"), "statuses": Introduction.Status.choices,
        "kept": round_.introductions.exclude(status=Introduction.Status.DROPPED).count()})


def _pair(request, pk, pair):
    return get_object_or_404(Introduction.objects.select_related("round", "a__customer", "b__customer"),
                             workspace=request.workspace, round_id=pk, pk=pair)


@workspace_view("member")
@require_POST
def pair_review(request, pk, pair):
    intro = _pair(request, pk, pair)
    action = request.POST.get("action")
    try:
        if action == "drop":
            rounds.drop_pair(intro)
        elif action == "restore":
            rounds.restore_pair(intro)
        elif action == "reason":
            rounds.edit_reason(intro, request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    if _htmx(request):
        return render(request, "connect/_pair.html", {"p": intro, "round": intro.round,
                                                      "workspace": request.workspace,
                                                      "membership": request.membership})
    return redirect("connect_round", request.workspace.slug, pk)


@workspace_view("member")
@require_POST
def round_send(request, pk):
    round_ = get_object_or_404(Round, workspace=request.workspace, pk=pk)
    try:
        introductions.queue_send(round_, request.build_absolute_uri("/"), user=request.user)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, "The round is being sent: each side gets its proposal once.")
    return redirect("connect_round", request.workspace.slug, pk)


# -- public pages behind the mailed links -------------------------------------------------------

def answer_page(request, token):
    try:
        intro, side = introductions.from_token(token)
    except introductions.LinkError as exc:
        return render(request, "connect/link_unavailable.html", {"reason": exc.reason}, status=404)
    if request.method == "POST" and request.POST.get("answer") in ("accept", "decline"):
        try:
            intro = introductions.answer(token, request.POST["answer"] == "accept",
                                         request.build_absolute_uri("/"))
        except introductions.LinkError as exc:
            return render(request, "connect/link_unavailable.html", {"reason": exc.reason}, status=404)
    me, other = (intro.a, intro.b) if side == "a" else (intro.b, intro.a)
    return render(request, "connect/answer.html", {
        "intro": intro, "me": me, "other": other, "mine": getattr(intro, f"{side}_answer"),
        "token": token})


def rate_page(request, token):
    try:
        intro, side = introductions.from_token(token, "rate")
    except introductions.LinkError as exc:
        return render(request, "connect/link_unavailable.html", {"reason": exc.reason}, status=404)
    error = None
    if request.method == "POST":
        try:
            intro = introductions.rate(token, int(request.POST.get("rating") or 0))
        except (ValidationError, ValueError):
            error = "Choose a number from 1 to 5."
        except introductions.LinkError as exc:
            return render(request, "connect/link_unavailable.html", {"reason": exc.reason}, status=404)
    other = intro.b if side == "a" else intro.a
    return render(request, "connect/rate.html", {
        "intro": intro, "other": other, "rating": getattr(intro, f"{side}_rating"), "error": error,
        "token": token, "scale": range(1, 6)})


# -- the portal card ----------------------------------------------------------------------------

def portal_section(contact, request):
    """Pending introductions of the contact's customer (what a member may see), or None."""
    member = Member.objects.filter(workspace_id=contact.workspace_id, customer_id=contact.customer_id,
                                   opted_in=True).first()
    if member is None:
        return {"member": None, "introductions": [], "threads": []}
    intros = list(rounds.member_introductions(member)[:5])
    return {"member": member, "introductions": [
        {"pk": i.pk, "other": (i.b if i.a_id == member.pk else i.a).customer.display_name,
         "status": i.get_status_display(), "reason": i.reason,
         "pending": i.status == Introduction.Status.SENT and not getattr(i, f"{i.side(member.pk)}_answer")}
        for i in intros],
        "threads": list(forum_actions.threads(contact.workspace, members_only=True)[:3])}


# -- gatherings -------------------------------------------------------------------------------

@workspace_view("viewer")
def gathering_list(request):
    return render(request, "connect/gatherings.html",
                  {"gatherings": gatherings.gatherings_of(request.workspace)})


@workspace_view("member")
@require_POST
def gathering_new(request):
    ws = request.workspace
    try:
        starts = dt.datetime.fromisoformat(request.POST.get("starts", ""))
    except ValueError:
        messages.error(request, "When: a date and time, e.g. 2026-03-12 18:30")
        return redirect("connect_gatherings", ws.slug)
    if timezone.is_naive(starts):
        starts = timezone.make_aware(starts)
    try:
        result = gatherings.form(
            ws, size_min=int(request.POST.get("size_min") or 5), size_max=int(request.POST.get("size_max") or 8),
            exclude_same=[a for a in request.POST.getlist("exclude_same") if a],
            save={"title": request.POST.get("title", "").strip() or "Gathering", "starts": starts,
                  "location": request.POST.get("location", ""), "topic": request.POST.get("topic", "")})
    except (ValidationError, ValueError) as exc:
        messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("connect_gatherings", ws.slug)
    return redirect("connect_gathering", ws.slug, result["gathering"].pk)


@workspace_view("viewer")
def gathering_detail(request, pk):
    gathering = get_object_or_404(Gathering, workspace=request.workspace, pk=pk)
    groups: dict[int, list] = {}
    for seat in gatherings.seats(gathering):
        groups.setdefault(seat.group, []).append(seat)
    return render(request, "connect/gathering.html", {"gathering": gathering, "groups": groups})


@workspace_view("member")
@require_POST
def seat_update(request, pk, seat):
    found = get_object_or_404(Seat.objects.select_related("gathering", "member__customer"),
                              gathering__workspace=request.workspace, gathering_id=pk, pk=seat)
    try:
        if request.POST.get("invite"):
            sent = gatherings.invite(found.gathering)
            messages.success(request, f"{sent} invitation{'s' if sent != 1 else ''} sent.")
        if "rsvp" in request.POST:
            gatherings.set_rsvp(found, request.POST["rsvp"])
        if "attended" in request.POST:
            gatherings.set_attended(found, request.POST["attended"] == "yes")
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect("connect_gathering", request.workspace.slug, pk)


@workspace_view("viewer")
def gathering_ics(request, pk):
    gathering = get_object_or_404(Gathering, workspace=request.workspace, pk=pk)
    response = HttpResponse(gatherings.ics(gathering), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="gathering-{gathering.pk}.ics"'
    return response


# -- the forum, for staff ---------------------------------------------------------------------

@workspace_view("viewer")
def forum(request):
    ws = request.workspace
    topic = None
    if str(request.GET.get("topic", "")).isdigit():
        topic = get_object_or_404(Topic, workspace=ws, pk=int(request.GET["topic"]))
    qs = forum_actions.threads(ws, topic=topic, q=request.GET.get("q", ""))
    return render(request, "connect/forum.html", {
        "topics": forum_actions.topics(ws), "topic": topic, "q": request.GET.get("q", ""),
        "page": paginate(qs, request.GET.get("page"), counted=True, size=30),
        "query": query_without(request.GET, "page"), "portal": False})


@workspace_view("member")
@require_POST
def forum_topic_new(request):
    try:
        forum_actions.add_topic(request.workspace, request.POST.get("title", ""),
                                description=request.POST.get("description", ""),
                                dimension=request.POST.get("dimension", ""))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect("connect_forum", request.workspace.slug)


@workspace_view("viewer")
def forum_thread(request, pk):
    thread = get_object_or_404(Thread.objects.select_related("topic"), workspace=request.workspace, pk=pk)
    if request.method == "POST" and request.membership.can("member"):
        try:
            forum_actions.reply(thread, request.POST.get("body", ""), staff=request.user)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        return redirect("connect_thread", request.workspace.slug, pk)
    return render(request, "connect/thread.html", {
        "thread": thread, "posts": forum_actions.posts(thread), "portal": False})


@workspace_view("member")
@require_POST
def forum_moderate(request, pk):
    thread = get_object_or_404(Thread, workspace=request.workspace, pk=pk)
    target = thread
    if str(request.POST.get("post", "")).isdigit():
        target = get_object_or_404(Post, thread=thread, pk=int(request.POST["post"]))
    try:
        forum_actions.moderate(target, request.POST.get("action", ""), reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect("connect_thread", request.workspace.slug, pk)


# -- the forum and introductions, for members in the portal ---------------------------------------

@contact_required
def portal_forum(request):
    ws = request.contact.workspace
    if request.method == "POST":
        topic = get_object_or_404(Topic, workspace=ws, pk=request.POST.get("topic") or 0)
        try:
            thread = forum_actions.start_thread(topic, request.POST.get("title", ""),
                                                request.POST.get("body", ""), contact=request.contact)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            return redirect("connect_portal_thread", thread.pk)
    qs = forum_actions.threads(ws, q=request.GET.get("q", ""), members_only=True)
    return render(request, "connect/forum.html", {
        "topics": forum_actions.topics(ws), "q": request.GET.get("q", ""), "portal": True,
        "page": paginate(qs, request.GET.get("page"), counted=True, size=30),
        "query": query_without(request.GET, "page")})


@contact_required
def portal_thread(request, pk):
    thread = get_object_or_404(Thread, workspace=request.contact.workspace, pk=pk, hidden=False)
    if request.method == "POST":
        try:
            forum_actions.reply(thread, request.POST.get("body", ""), contact=request.contact)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        return redirect("connect_portal_thread", pk)
    return render(request, "connect/thread.html", {
        "thread": thread, "posts": forum_actions.posts(thread, members_only=True), "portal": True})


@contact_required
@require_POST
def portal_answer(request, pk):
    """Accept or decline an introduction from the portal (the contact's own member only)."""
    try:
        introductions.answer_as_contact(request.contact, pk, request.POST.get("answer") == "accept",
                                        request.build_absolute_uri("/"))
    except (ValidationError, introductions.LinkError) as exc:
        messages.error(request, getattr(exc, "reason", None) or "; ".join(getattr(exc, "messages", [])))
    return redirect("/portal/")


@contact_required
@require_POST
def portal_join(request):
    """Join or leave the community, and say what we are working on."""
    try:
        members.join_from_portal(request.contact, working_on=request.POST.get("working_on", ""),
                                 join=request.POST.get("join") != "leave")
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect("/portal/")
