"""Who is signed in to the portal: a contact of one customer, never a staff user.

A portal session holds the contact's id and workspace under its own key, apart from Django's
staff authentication, so a contact never gains a staff page and a staff sign-in never makes a
portal session. Every lever's portal views (``portal_urlpatterns`` in an app's ``urls.py``,
mounted under ``/portal/``) wrap themselves in ``contact_required`` and then find objects only
through ``request.contact`` — its customer, its workspace — so another customer's objects
answer 404.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.shortcuts import redirect

SESSION_KEY = "becoming_portal"
SIGN_IN_PATH = "/portal/sign-in/"


def sign_in(request, contact) -> None:
    """Start a portal session for ``contact`` (a new session key: no fixation)."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = {"contact": contact.pk, "workspace": contact.workspace_id}


def sign_out(request) -> None:
    request.session.pop(SESSION_KEY, None)


def current_contact(request):
    """The signed-in contact, or None (also when it was deleted since)."""
    data = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if not isinstance(data, dict):
        return None
    from becoming.customers.models import Contact

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
        return view(request, *args, **kwargs)

    return wrapper
