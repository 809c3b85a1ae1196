"""Inspire's part of the demo: peer groups by industry, goals proposed (some accepted by staff
and customers, a few missed), stories drafted from the history (some consented and
published), champions proposed and a few invited."""

import datetime as dt

from django.utils import timezone

from .actions.champions import invite_champion, propose_champions
from .actions.goals import save_proposals
from .actions.settings import set_peer_settings
from .actions.stories import draft_stories
from .models import Champion, Consent, Goal, Story

ACCEPTED = 400
MISSED = 25
PUBLISHED = 40


def build_inspire(demo) -> None:
    ws, rng, today = demo.workspace, demo.rng("inspire"), demo.today
    set_peer_settings(ws, ["Industry"], 30)
    save_proposals(ws)
    goals = list(Goal.objects.filter(workspace=ws).exclude(goal_date__isnull=True)
                 .order_by("customer__external_id", "dimension").values_list("pk", flat=True))
    now = timezone.now()
    accepted = [int(g) for g in rng.choice(goals, size=min(ACCEPTED, len(goals)), replace=False)] if goals else []
    Goal.objects.filter(pk__in=accepted).update(status=Goal.Status.ACCEPTED, accepted_on=now)
    by_customer = [g for i, g in enumerate(accepted) if i % 2 == 0]
    for goal in Goal.objects.filter(pk__in=by_customer).select_related("customer"):
        contact = goal.customer.contacts.exclude(email="").order_by("pk").first()
        if contact is not None:
            goal.customer_accepted_by, goal.customer_accepted_on = contact, now
            goal.save(update_fields=["customer_accepted_by", "customer_accepted_on"])
    # A few goals agreed months ago whose date has passed without the step: the risk list.
    for pk in accepted[:MISSED]:
        Goal.objects.filter(pk=pk).update(goal_date=today - dt.timedelta(days=int(rng.integers(3, 60))))
    draft_stories(ws, since=today - dt.timedelta(days=180))
    stories = list(Story.objects.filter(workspace=ws).order_by("-moved_on", "customer_id")[:PUBLISHED * 3])
    chosen = [stories[int(i)] for i in rng.choice(len(stories), size=min(PUBLISHED, len(stories)), replace=False)] \
        if stories else []
    consent = {s.customer_id for s in chosen[: len(chosen) // 2]}
    Consent.objects.bulk_create([Consent(workspace=ws, customer_id=c, named=True,
                                         note="Agreed at the customer advisory board (demo)") for c in consent],
                                ignore_conflicts=True)
    Story.objects.filter(pk__in=[s.pk for s in chosen]).update(status=Story.Status.PUBLISHED, published_on=now)
    propose_champions(ws)
    champions = list(Champion.objects.filter(workspace=ws).select_related("customer").order_by("pk")[:12])
    for champion, ask in zip(champions, ["speak", "write", "mentor"] * 4):
        invite_champion(champion, ask)
