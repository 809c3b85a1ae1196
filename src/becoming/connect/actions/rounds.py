"""Rounds of one-to-one introductions: propose (optimal matching), review, and learn.

Proposing reads the opted-in members, builds their profiles, removes what the hard rules
forbid (competitors, pairs introduced within the repeat period, members at zero capacity)
and asks the engine for an optimal matching of the candidate graph. Later rounds learn from
earlier ones (:func:`learned`): a member who declines often weighs less, and the parts of
the score (shared challenges, reading, complementarity) are re-weighted by how well each
told apart the introductions that were accepted and rated well from those declined.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .. import matching
from ..models import Competitors, Introduction, Member, Round
from .members import opted_in
from .profiles import build_profiles, check_attributes

REPEAT_DAYS = getattr(settings, "CONNECT_REPEAT_DAYS", 365)


def _forbidden(workspace, members: list[Member], as_of: dt.date, repeat_days: int) -> set:
    index = {m.pk: i for i, m in enumerate(members)}
    by_customer = {m.customer_id: i for i, m in enumerate(members)}
    out = set()
    for a, b in Competitors.objects.filter(workspace=workspace).values_list("a_id", "b_id"):
        if a in by_customer and b in by_customer:
            out.add((by_customer[a], by_customer[b]))
    since = dt.datetime.combine(as_of - dt.timedelta(days=repeat_days), dt.time(), tzinfo=dt.UTC)
    recent = (Introduction.objects.filter(workspace=workspace, round__sent__gte=since)
              .exclude(status=Introduction.Status.DROPPED).values_list("a_id", "b_id"))
    for a, b in recent:
        if a in index and b in index:
            out.add((index[a], index[b]))
    return out


def learned(workspace, profiles: matching.Profiles, members: list[Member]) -> tuple[np.ndarray, dict]:
    """(a factor per member, weights of the score's parts) from earlier rounds' answers."""
    index = {m.pk: i for i, m in enumerate(members)}
    factor = np.ones(len(members))
    weights = dict(matching.DEFAULT_WEIGHTS)
    past = list(Introduction.objects.filter(workspace=workspace)
                .exclude(status__in=[Introduction.Status.PROPOSED, Introduction.Status.DROPPED]))
    if not past:
        return factor, weights
    declines = np.zeros(len(members))
    answers = np.zeros(len(members))
    outcomes, parts = [], []
    reasons = matching.Reasons(profiles) if profiles.n else None
    for intro in past:
        for side in ("a", "b"):
            i = index.get(getattr(intro, f"{side}_id"))
            answer = getattr(intro, f"{side}_answer")
            if i is not None and answer:
                answers[i] += 1
                declines[i] += answer == Introduction.Answer.DECLINED
        ratings = [r for r in (intro.a_rating, intro.b_rating) if r]
        if intro.status == Introduction.Status.DECLINED:
            outcome = 0.0
        elif ratings:
            outcome = (float(np.mean(ratings)) - 1) / 4
        elif intro.status == Introduction.Status.INTRODUCED:
            outcome = 0.75
        else:
            continue
        i, j = index.get(intro.a_id), index.get(intro.b_id)
        if i is not None and j is not None and reasons is not None:
            outcomes.append(outcome)
            parts.append(reasons.parts(i, j))
    # Laplace-smoothed acceptance rate: one decline of one answer does not halve a member.
    factor = np.clip((answers - declines + 1) / (answers + 1), 0.5, 1.0)
    if len(outcomes) >= 10 and np.std(outcomes) > 0:
        y = np.array(outcomes)
        for key in weights:
            x = np.array([p[key] for p in parts])
            if np.std(x) > 0:
                corr = float(np.corrcoef(x, y)[0, 1])
                weights[key] *= 1 + 0.5 * corr
        total = sum(weights.values())
        weights = {k: round(v / total, 4) for k, v in weights.items()}
    return factor, weights


def propose(workspace, *, mode: str = "any", industry_attribute: str | None = None,
            exclude_same=(), text_attributes=(), capacity: int | None = None,
            as_of: dt.date | None = None, name: str | None = None, user=None,
            repeat_days: int | None = None, save: bool = True, k: int = 10) -> dict:
    """Propose one round: {"round", "pairs": [rows], "candidates": [rows], "total"}.

    Rows are dicts with member_a, member_b (external ids), score, reason. With ``save`` the
    round is stored as a draft for staff to review (nothing is mailed).
    """
    if mode not in matching.MODES:
        raise ValidationError(f"--mode: one of {', '.join(matching.MODES)}, not {mode!r}")
    if mode != "any" and not industry_attribute:
        raise ValidationError(f"--mode {mode}: name the industry with --industry-attribute")
    check_attributes(workspace, [industry_attribute] if industry_attribute else [], "--industry-attribute")
    exclude_same = check_attributes(workspace, exclude_same, "--exclude-same")
    text_attributes = check_attributes(workspace, text_attributes, "--text-attribute")
    if capacity is not None and capacity < 1:
        raise ValidationError("--capacity: at least 1 introduction a member")
    as_of = as_of or timezone.localdate()
    members = list(opted_in(workspace))
    if len(members) < 2:
        raise ValidationError(f"{len(members)} opted-in member{'s' if len(members) != 1 else ''}: "
                              "a round needs at least two (becoming connect opt-in)")
    profiles = build_profiles(workspace, members, industry_attribute=industry_attribute,
                              exclude_same=exclude_same, text_attributes=text_attributes,
                              as_of=as_of, capacity=capacity)
    factor, weights = learned(workspace, profiles, members)
    profiles.factor = factor
    forbidden = _forbidden(workspace, members, as_of, REPEAT_DAYS if repeat_days is None else repeat_days)
    try:
        result = matching.match(profiles, mode=mode, weights=weights, forbidden=forbidden, k=k)
    except matching.MatchingError as exc:
        raise ValidationError(str(exc)) from None
    reasons = matching.Reasons(profiles)
    rows = [{"member_a": profiles.ids[i], "member_b": profiles.ids[j], "score": score,
             "reason": reasons.why(i, j), "a": members[i], "b": members[j]}
            for i, j, score in result.pairs]
    candidates = [{"member_a": profiles.ids[i], "member_b": profiles.ids[j], "score": score}
                  for i, j, score in result.candidates]
    saved = None
    if save:
        params = {"industry_attribute": industry_attribute, "exclude_same": list(exclude_same),
                  "text_attributes": list(text_attributes), "capacity": capacity,
                  "as_of": as_of.isoformat(), "weights": weights, "candidates": len(candidates),
                  "blocks": result.blocks}
        with transaction.atomic():
            saved = Round.objects.create(workspace=workspace, mode=mode, params=params,
                                         total=result.total, created_by=user,
                                         name=name or f"Round of {as_of:%-d %B %Y}")
            Introduction.objects.bulk_create([
                Introduction(workspace=workspace, round=saved, a=r["a"], b=r["b"],
                             score=r["score"], reason=r["reason"]) for r in rows])
    for r in rows:
        del r["a"], r["b"]
    return {"round": saved, "pairs": rows, "candidates": candidates, "total": result.total}


# -- review ----------------------------------------------------------------------------------

def _editable(intro: Introduction) -> None:
    if intro.round.status != Round.Status.DRAFT:
        raise ValidationError("this round was sent: its pairs can no longer change")


def drop_pair(intro: Introduction) -> Introduction:
    _editable(intro)
    intro.status = Introduction.Status.DROPPED
    intro.save(update_fields=["status"])
    return intro


def restore_pair(intro: Introduction) -> Introduction:
    _editable(intro)
    intro.status = Introduction.Status.PROPOSED
    intro.save(update_fields=["status"])
    return intro


def edit_reason(intro: Introduction, reason: str) -> Introduction:
    _editable(intro)
    reason = reason.strip()
    if not reason:
        raise ValidationError("reason: say in a sentence why these two should meet")
    intro.reason = reason[:2000]
    intro.save(update_fields=["reason"])
    return intro


def rounds(workspace):
    return Round.objects.filter(workspace=workspace)


def round_pairs(round_: Round, status: str = ""):
    qs = round_.introductions.select_related("a__customer", "b__customer")
    if status in Introduction.Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("-score", "id")


def member_introductions(member: Member):
    return (Introduction.objects.filter(Q(a=member) | Q(b=member))
            .exclude(status__in=[Introduction.Status.PROPOSED, Introduction.Status.DROPPED])
            .select_related("a__customer", "b__customer", "round"))


def review(intro: Introduction, action: str, reason: str | None = None) -> Introduction:
    """The API's one review step: a new reason, then drop or restore."""
    if reason is not None:
        edit_reason(intro, reason)
    return drop_pair(intro) if action == "drop" else restore_pair(intro)
