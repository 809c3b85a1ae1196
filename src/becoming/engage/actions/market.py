"""Market research: surveys answered by the panel as well as by customers, with quotas per
attribute value, the panel's answers weighted to known population shares, and customers'
answers set against the market's, dimension by dimension.

Quotas: a quota on an attribute (industry) allows at most `limit` submitted responses per
value of it (a *cell*: industry = Retail); a quota naming a value sets that cell's own limit.
A respondent's attributes are the panelist's, or their customer's for a contact; someone
without the attribute is in no cell of it. A respondent whose cell is full is turned away
before answering.

Weighting: the panel's submitted responses are raked (iterative proportional fitting, the
`ipfn` package) so that each weighted attribute's shares match the population shares given;
weights are then trimmed to [TRIM_LOW, TRIM_HIGH] times the mean and normalised to a mean of
1 (clipping and renormalising until both hold). The effective sample size (Kish) is (Σw)² / Σw².
"""

import contextlib
import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction

from becoming.transformation.actions import current_model

from ..models import Invitation, Question, Quota, Response, Survey
from .panel import cell_value

QUOTA_FULL = "This survey has enough answers from people like you — thank you for your time."
TRIM_LOW, TRIM_HIGH = 0.2, 5.0
SHARE_SLACK = 0.011  # shares may add up to 99–101 % (rounded figures)


# -- audience and respondents -----------------------------------------------------------

def set_audience(survey: Survey, audience: str) -> Survey:
    """Who a survey is for: customers' contacts, the panel, or both."""
    if audience not in Survey.Audience.values:
        raise ValidationError(f"audience: one of {', '.join(Survey.Audience.values)}, not {audience!r}")
    survey.audience = audience
    survey.save(update_fields=["audience"])
    return survey


def takes_panel(survey: Survey) -> bool:
    return survey.audience in (Survey.Audience.PANEL, Survey.Audience.BOTH)


def takes_customers(survey: Survey) -> bool:
    return survey.audience in (Survey.Audience.CUSTOMERS, Survey.Audience.BOTH)


def attributes_of(invitation: Invitation) -> dict:
    """The attributes quotas look at: the panelist's, or the contact's customer's."""
    if invitation.panelist is not None:
        return invitation.panelist.attributes or {}
    return (invitation.contact.customer.attributes or {}) if invitation.contact else {}


def _submitted(survey: Survey, exclude: int | None = None) -> list[tuple[str, dict]]:
    """(who, attributes) of each submitted response: who is "panel" or "customers"."""
    responses = Response.objects.filter(survey=survey, submitted__isnull=False)
    if exclude is not None:
        responses = responses.exclude(pk=exclude)
    rows = (responses.values_list("panelist_id", "panelist__attributes", "customer__attributes"))
    return [("panel", panel or {}) if pid else ("customers", customer or {}) for pid, panel, customer in rows]


# -- quotas ---------------------------------------------------------------------------------

def set_quota(survey: Survey, attribute: str, limit: int | None, value: str = "") -> Quota | None:
    """Allow at most ``limit`` answers per value of ``attribute`` (or for one ``value``);
    a limit of None removes the quota."""
    attribute, value = (attribute or "").strip(), cell_value(value)
    if not attribute:
        raise ValidationError("attribute: name the attribute the quota counts, e.g. industry")
    if limit is None:
        Quota.objects.filter(survey=survey, attribute=attribute, value=value).delete()
        return None
    if limit < 1:
        raise ValidationError("limit: at least 1 (remove the quota to take no limit)")
    quota, _ = Quota.objects.update_or_create(survey=survey, attribute=attribute, value=value,
                                              defaults={"limit": limit})
    return quota


def quota_cells(survey: Survey) -> list[dict]:
    """Every cell of every quota: attribute, value, limit, answers so far, and whether it is
    closed. Cells are the values named by a quota, by an invitee or by a respondent."""
    quotas = list(survey.quotas.all())
    if not quotas:
        return []
    answered = _submitted(survey)
    invited = [attributes_of(i) for i in survey.invitations.select_related("panelist", "contact__customer")]
    cells = []
    for attribute in sorted({q.attribute for q in quotas}):
        limits = {q.value: q.limit for q in quotas if q.attribute == attribute}
        seen = {cell_value(a.get(attribute)) for a in invited + [a for _, a in answered]}
        values = sorted(({v for v in limits if v} | seen) - {""}) if "" in limits else sorted(v for v in limits if v)
        for value in values:
            limit = limits.get(value, limits.get(""))
            count = sum(1 for _, a in answered if cell_value(a.get(attribute)) == value)
            cells.append({"attribute": attribute, "value": value, "limit": limit, "count": count,
                          "closed": limit is not None and count >= limit})
    return cells


def full_cell(survey: Survey, attributes: dict, exclude: int | None = None) -> dict | None:
    """The first full cell this respondent belongs to, or None when they may answer."""
    quotas = list(survey.quotas.all())
    if not quotas:
        return None
    answered = None
    for attribute in sorted({q.attribute for q in quotas}):
        value = cell_value(attributes.get(attribute))
        if not value:
            continue
        limits = {q.value: q.limit for q in quotas if q.attribute == attribute}
        limit = limits.get(value, limits.get(""))
        if limit is None:
            continue
        answered = answered if answered is not None else _submitted(survey, exclude)
        count = sum(1 for _, a in answered if cell_value(a.get(attribute)) == value)
        if count >= limit:
            return {"attribute": attribute, "value": value, "limit": limit, "count": count}
    return None


def check_quota(response: Response) -> None:
    """Raise ValidationError(QUOTA_FULL) when the respondent's cell is full. Call inside the
    transaction that submits: the survey row is locked so two last answers cannot both fit."""
    if not Quota.objects.filter(survey_id=response.survey_id).exists():
        return  # no lock: answers to a survey without quotas never wait for each other
    survey = Survey.objects.select_for_update().get(pk=response.survey_id)
    # Whoever answers counts, with or without an invitation (the portal's self-assessment).
    attributes = (response.panelist.attributes if response.panelist is not None
                  else response.customer.attributes if response.customer is not None else {})
    if full_cell(survey, attributes or {}, exclude=response.pk):
        raise ValidationError(QUOTA_FULL, code="quota_full")


# -- weights ----------------------------------------------------------------------------------

def parse_shares(text: str) -> dict[str, float]:
    """``"Retail=40, Energy=60"`` as {value: share}; what is wrong names the part."""
    shares: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        value, sep, number = part.rpartition("=")
        try:
            shares[value.strip()] = float(number)
        except ValueError:
            raise ValidationError(f"shares: {part!r} is not value=share, e.g. Retail=40") from None
        if not sep or not value.strip():
            raise ValidationError(f"shares: {part!r} is not value=share, e.g. Retail=40")
    return shares


def set_weights(survey: Survey, attribute: str, shares: dict[str, float] | None) -> Survey:
    """Population shares of one attribute's values (percentages or fractions adding up to 100
    or 1), stored as fractions; None or {} removes the attribute from the weighting."""
    attribute = (attribute or "").strip()
    if not attribute:
        raise ValidationError("attribute: name the attribute the shares are of, e.g. industry")
    weights = dict(survey.weights or {})
    if not shares:
        weights.pop(attribute, None)
    else:
        clean = {cell_value(k): float(v) for k, v in shares.items()}
        if any(v <= 0 for v in clean.values()) or "" in clean:
            raise ValidationError(f"shares of {attribute}: every value needs a name and a share above 0")
        total = sum(clean.values())
        if not (abs(total - 1) <= SHARE_SLACK or abs(total - 100) <= 100 * SHARE_SLACK):
            raise ValidationError(f"shares of {attribute} add up to {total:g}; they should add up to 100 (or 1)")
        weights[attribute] = {k: v / total for k, v in clean.items()}
    survey.weights = weights
    survey.save(update_fields=["weights"])
    return survey


@dataclass
class Raking:
    """Weights per row (None: left out, its values not among the targets), and what to say."""

    weights: list[float | None]
    effective_n: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def weighted(self) -> int:
        return sum(1 for w in self.weights if w is not None)


def rake(rows: list[dict], targets: dict[str, dict[str, float]], trim=(TRIM_LOW, TRIM_HIGH)) -> Raking:
    """Weights that make the rows' shares of each target attribute match ``targets`` ({attribute:
    {value: share}}), by iterative proportional fitting on the rows' cross-table (``ipfn``);
    then trimmed to ``trim`` times the mean and normalised to a mean of 1.

    A row whose value of a target attribute is not among its shares is left out (None). A value
    with a share but no row cannot be reached: it is dropped and the other shares scaled up.
    """
    if not rows:
        return Raking([])
    if not targets:
        return Raking([1.0] * len(rows), float(len(rows)))
    notes: list[str] = []
    attributes = sorted(targets)
    cells: list[tuple[int, ...] | None] = []
    for row in rows:
        index: list[int] = []
        for attribute in attributes:
            value = cell_value(row.get(attribute))
            index.append(list(targets[attribute]).index(value) if value in targets[attribute] else -1)
        cells.append(tuple(index) if min(index) >= 0 else None)
    kept: list[tuple[int, ...]] = [c for c in cells if c is not None]
    if len(kept) < len(rows):
        notes.append(f"{len(rows) - len(kept)} left out: their values are not among the population shares")
    if not kept:
        return Raking([None] * len(rows), 0.0, notes)
    counts = np.zeros([len(targets[a]) for a in attributes])
    for cell in kept:
        counts[cell] += 1
    margins = []
    for axis, attribute in enumerate(attributes):
        present = counts.sum(axis=tuple(i for i in range(len(attributes)) if i != axis)) > 0
        shares = np.array(list(targets[attribute].values())) * present
        for value, there in zip(targets[attribute], present):
            if not there:
                notes.append(f"no answers with {attribute} {value}: its share was spread over the others")
        margins.append(shares / shares.sum() * len(kept))
    fitted = _ipf(counts, margins)
    cell_weight = np.divide(fitted, counts, out=np.zeros_like(fitted), where=counts > 0)
    raw = np.array([cell_weight[c] for c in kept])
    raw = _trim(raw, *trim)
    values = iter(raw.tolist())
    weights: list[float | None] = [None if c is None else next(values) for c in cells]
    return Raking(weights, effective_n(raw.tolist()), notes)


def _trim(weights: np.ndarray, low: float, high: float, rounds: int = 50) -> np.ndarray:
    """Weights with a mean of 1, each within [low, high]: clip and renormalise until they hold
    (renormalising after a clip can push others past a bound again)."""
    weights = weights / weights.mean()
    for _ in range(rounds):
        if weights.min() >= low - 1e-9 and weights.max() <= high + 1e-9:
            break
        weights = np.clip(weights, low, high)
        weights = weights / weights.mean()
    return weights


def _ipf(counts: np.ndarray, margins: list[np.ndarray]) -> np.ndarray:
    from ipfn import ipfn

    solver = ipfn.ipfn(counts.copy(), margins, [[axis] for axis in range(counts.ndim)],
                       convergence_rate=1e-10, max_iteration=1000, verbose=0)
    # ipfn prints when it stops, and divides 0 by 0 checking cells no row fell in.
    with contextlib.redirect_stdout(io.StringIO()), np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(solver.iteration())


def effective_n(weights: list[float]) -> float:
    """Kish's effective sample size: (Σw)² / Σw²."""
    total, squares = sum(weights), sum(w * w for w in weights)
    return total * total / squares if squares else 0.0


# -- customers against the market --------------------------------------------------------------

def compared_questions(survey: Survey) -> list[Question]:
    """The questions a mean makes sense of: scales and single choices."""
    return [q for q in survey.questions.all() if q.numeric and q.kind != Question.Kind.MULTIPLE]


def customers_vs_market(survey: Survey) -> dict:
    """Per numeric question (named by its model dimension when it has one): the customers' mean
    and count, the market's (panel's) mean unweighted and weighted, and its effective size.

    A dimension question's mean is a stage: 1 is the first stage, with the nearest stage's name.
    """
    responses = list(Response.objects.filter(survey=survey, submitted__isnull=False)
                     .select_related("panelist", "customer"))
    market = [r for r in responses if r.panelist is not None]
    customers = [r for r in responses if r.panelist is None and r.customer_id]
    raking = rake([r.panelist.attributes for r in market if r.panelist is not None], survey.weights or {})
    weight = {r.pk: w for r, w in zip(market, raking.weights)}
    model = current_model(survey.workspace)
    dimensions = {d.key: d for d in model.dimensions} if model else {}
    rows = []
    for q in compared_questions(survey):
        dim = dimensions.get(q.dimension)
        stages = [s.name for s in dim.stages] if dim is not None else None
        mine = _mean([(float(r.answers[q.key]), 1.0) for r in customers if q.key in r.answers], stages)
        theirs = [(float(r.answers[q.key]), weight[r.pk]) for r in market if q.key in r.answers]
        weighted = _mean([(v, w) for v, w in theirs if w is not None], stages)
        c, m = mine["mean"], weighted["mean"]
        rows.append({"label": dim.name if dim is not None else q.text, "question": q.text, "stage": bool(stages),
                     "customers": mine, "market": _mean([(v, 1.0) for v, _ in theirs], stages),
                     "weighted": weighted,
                     "difference": round(c - m, 1) if c is not None and m is not None else None})
    used = [w for w in raking.weights if w is not None]
    return {"rows": rows, "customers": len(customers), "market": len(market),
            "weighting": {"targets": _target_names(survey.weights or {}), "weighted": raking.weighted,
                          "effective_n": round(raking.effective_n, 1),
                          "min": round(min(used), 2) if used else None,
                          "max": round(max(used), 2) if used else None, "notes": raking.notes}}


def _mean(pairs: list[tuple[float, float]], stages: list[str] | None) -> dict[str, Any]:
    """Weighted mean of (value, weight) pairs, rounded, and n. With ``stages`` the values are
    stage indexes: the mean counts the first stage as 1 and names the nearest stage."""
    total = sum(w for _, w in pairs)
    if not pairs or total <= 0:
        return {"mean": None, "n": len(pairs)}
    mean = sum(v * w for v, w in pairs) / total
    if not stages:
        return {"mean": round(mean, 1), "n": len(pairs)}
    nearest = stages[min(max(round(mean), 0), len(stages) - 1)]
    return {"mean": round(mean + 1, 1), "n": len(pairs), "stage_name": nearest}


def _target_names(weights: dict) -> list[str]:
    return [f"{attribute}: " + ", ".join(f"{value} {share * 100:.0f} %" for value, share in shares.items())
            for attribute, shares in sorted(weights.items())]


# -- a market-research survey from the model ------------------------------------------------------

@transaction.atomic
def market_survey(workspace, *, title: str, audience: str = Survey.Audience.BOTH, user=None) -> Survey:
    """A draft survey asking, per model dimension, which stage describes the respondent today,
    for the panel and (with ``both``) customers: the questions customers vs market compares."""
    from .surveys import add_dimension_questions

    model = current_model(workspace)
    if model is None:
        raise ValidationError("apply a transformation model first: the survey asks about its stages")
    if audience not in Survey.Audience.values:
        raise ValidationError(f"audience: one of {', '.join(Survey.Audience.values)}, not {audience!r}")
    survey = Survey.objects.create(workspace=workspace, title=title, intro=model.vision, audience=audience,
                                   created_by=user)
    add_dimension_questions(survey, model, prefix="market")
    return survey
