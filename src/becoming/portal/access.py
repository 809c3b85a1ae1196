"""Who is signed in to the portal: a contact of one customer, never a staff user.

A portal session holds the contact's id and workspace under its own key, apart from Django's
staff authentication, so a contact never gains a staff page and a staff sign-in never makes a
portal session. Every lever's portal views (``portal_urlpatterns`` in an app's ``urls.py``,
mounted under ``/portal/``) wrap themselves in ``contact_required`` and then find objects only
through ``request.contact`` — its customer, its workspace — so another customer's objects
answer 404.

A staff member may also "view as" a contact (``view_as``): the same session key, marked with
the staff user's id, valid only while that user is a member of the workspace, and read-only.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.http import HttpResponseForbidden
from django.shortcuts import redirect

SESSION_KEY = "becoming_portal"
SIGN_IN_PATH = "/portal/sign-in/"


def sign_in(request, contact) -> None:
    """Start a portal session for ``contact`` (a new session key: no fixation)."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = {"contact": contact.pk, "workspace": contact.workspace_id}


def sign_out(request) -> None:
    request.session.pop(SESSION_KEY, None)


def view_as(request, contact) -> None:
    """Let a signed-in staff member see the portal as ``contact`` sees it, read-only.

    The session is marked with the staff user's id: it counts only while that user is still
    signed in and still a member of the contact's workspace, and ``contact_required`` refuses
    every request that would change something (anything but GET and HEAD).
    """
    request.session[SESSION_KEY] = {"contact": contact.pk, "workspace": contact.workspace_id,
                                    "view_as": request.user.pk}


def viewing_as(request) -> bool:
    """True when the portal session is a staff member's read-only "view as"."""
    data = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    return isinstance(data, dict) and bool(data.get("view_as"))


def current_contact(request):
    """The signed-in contact, or None (also when it was deleted since)."""
    data = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if not isinstance(data, dict):
        return None
    from becoming.customers.models import Contact

    if data.get("view_as"):
        from becoming.workspaces.models import Membership

        user = getattr(request, "user", None)
        if (user is None or not user.is_authenticated or user.pk != data["view_as"]
                or not Membership.objects.filter(user=user, workspace_id=data.get("workspace")).exists()):
            return None
    return (Contact.objects.select_related("customer", "workspace")
            .filter(pk=data.get("contact"), workspace_id=data.get("workspace")).first())


def contact_required(view):
    """A portal view: sets ``request.contact``, or sends the visitor to the portal's sign-in."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        contact = current_contact(request)
        if contact is None:
            return redirect(f"{SIGN_IN_PATH}?{urlencode({'next': request.get_full_path()})}")
        request.contact = contact
        request.viewing_as = viewing_as(request)
        if request.viewing_as and request.method not in ("GET", "HEAD"):
            return HttpResponseForbidden("You are viewing the portal as this contact: it is read-only.")
        return view(request, *args, **kwargs)

    return wrapper
