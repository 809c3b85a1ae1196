"""Engage's card on the customer portal: the surveys waiting for the signed-in contact."""

from django.utils import timezone

from ..actions.surveys import token_for
from ..models import Invitation, Survey


def surveys_waiting(contact, request):
    """Open surveys this contact was invited to and has not answered; None when there are none."""
    waiting = (Invitation.objects.filter(contact=contact, survey__status=Survey.Status.OPEN,
                                         expires__gt=timezone.now())
               .exclude(response__submitted__isnull=False).select_related("survey").order_by("expires"))
    found = [{"survey": inv.survey, "link": f"/s/{token_for(inv)}/", "expires": inv.expires} for inv in waiting]
    return {"waiting": found} if found else None
