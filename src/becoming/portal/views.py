"""The customer portal (/portal/): magic-link sign-in, the contact's home, the self-assessment;
and the staff page that invites contacts and opens the portal "as" one of them.

Portal pages go through ``access.contact_required`` and find everything through
``request.contact``; the staff page goes through ``workspace_view``.
"""

import smtplib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from becoming.web.access import safe_next, workspace_view
from becoming.workspaces.throttle import client_address

from . import access, actions


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


# -- signing in -------------------------------------------------------------------------------

def sign_in(request):
    sent, error, email = None, None, ""
    if request.method == "POST":
        email = request.POST.get("email", "")
        try:
            sent = actions.request_link(email, client_address(request), _base_url(request))
        except ValidationError as exc:
            error = "; ".join(exc.messages)
        except (smtplib.SMTPException, ConnectionError):
            error = "We could not send email just now. Please try again in a few minutes."
    return render(request, "portal/sign_in.html", {
        "sent": sent, "error": error, "email": email, "next": request.GET.get("next", "")})


def sign_in_link(request, token):
    """GET shows a button (mail scanners follow links; they must not spend them); POST signs in."""
    try:
        if request.method == "POST":
            contact = actions.use_link(token)
            access.sign_in(request, contact)
            return redirect(safe_next(request, reverse("portal_home")))
        link = actions.link_from_token(token)
    except actions.LinkError as exc:
        return render(request, "portal/sign_in.html", {"error": exc.reason, "next": ""}, status=400)
    return render(request, "portal/confirm.html", {"link": link, "next": request.GET.get("next", "")})


@require_POST
def sign_out(request):
    was_view_as = access.viewing_as(request)
    access.sign_out(request)
    if was_view_as:
        return redirect("home")
    return redirect("portal_sign_in")


# -- the contact's pages ----------------------------------------------------------------------

@access.contact_required
def home(request):
    context = actions.home(request.contact, request, record=not request.viewing_as)
    return render(request, "portal/home.html", context)


@access.contact_required
def self_assessment(request):
    contact = request.contact
    survey = actions.self_assessment(contact.workspace)
    if survey is None:
        raise Http404("no self-assessment")
    error = None
    if request.method == "POST":
        answers = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        try:
            actions.submit_self_assessment(contact, answers)
        except ValidationError as exc:
            error = "; ".join(exc.messages)
        else:
            messages.success(request, "Thank you: your answers are saved. They count from the next assessment.")
            return redirect("portal_home")
    return render(request, "portal/self_assessment.html", {
        "contact": contact, "survey": survey, "questions": survey.questions.all(),
        "previous": actions.last_self_assessment(contact) or {}, "error": error,
        "viewing_as": request.viewing_as, "portal_contact": contact})


# -- staff ------------------------------------------------------------------------------------

@workspace_view("viewer")
def staff(request):
    return render(request, "portal/staff.html", actions.staff_page(request.workspace, request.GET))


@require_POST
@workspace_view("member")
def invite(request):
    form = request.POST
    stage = form.get("stage", "")
    try:
        sent = actions.invite_contacts(
            request.workspace, _base_url(request), email=form.get("email", ""),
            dimension=form.get("dimension", "") if form.get("by") == "stage" else "",
            stage=int(stage) if stage.isdigit() else None,
            attribute=form.get("attribute", "") if form.get("by") == "segment" else "",
            value=form.get("value", ""))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    except (smtplib.SMTPException, ConnectionError) as exc:
        messages.error(request, f"The mail server did not answer ({exc}); nobody was invited.")
    else:
        messages.success(request, f"Invited {len(sent)} contact{'s' if len(sent) != 1 else ''} to the portal."
                         if sent else "Nobody to invite: no contact with an email matched.")
    return redirect("portal_staff", slug=request.workspace.slug)


@require_POST
@workspace_view("viewer")
def view_as(request, contact):
    try:
        found = actions.contact_of(request.workspace, contact)
    except ValidationError:
        raise Http404("no such contact") from None
    access.view_as(request, found)
    return redirect("portal_home")
