"""Who may see what: every page that shows workspace data goes through `workspace_view`."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseForbidden

from becoming.workspaces.models import Membership


def workspace_view(role: str = "viewer"):
    """Resolve the workspace from the URL's slug for a member with at least `role`.

    Someone who is not a member gets 404, exactly as if the workspace did not exist, so its
    name is not leaked; a member without the role gets 403.
    """

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request, slug, *args, **kwargs):
            membership = (
                Membership.objects.select_related("workspace")
                .filter(user=request.user, workspace__slug=slug).first()
            )
            if membership is None:
                raise Http404("no such workspace")
            if not membership.can(role):
                return HttpResponseForbidden(f"this needs the {role} role or above")
            request.workspace = membership.workspace
            request.membership = membership
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def safe_next(request, fallback: str) -> str:
    """The form's ``next`` when it is a path on this site, else ``fallback``.

    A ``next`` pointing at another host (``//evil.test``, ``https://…``) would make a page of
    ours an open redirect.
    """
    from django.utils.http import url_has_allowed_host_and_scheme

    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return wanted
    return fallback
