"""The themes board ("wants and needs") and a theme's page: what to rank themes by, and the
numbers and quotes shown beside each.

Ranking: by distinct customers affected, by the summed value of those customers (a numeric
customer attribute), by trend (items in the last 30 days against the 30 before), or by size.
"""

import datetime as dt
from typing import Any

import numpy as np
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.db.models.fields.json import KeyTransform
from django.utils import timezone

from becoming.customers.models import Attribute, AttributeType, Customer
from becoming.transformation.actions import current_model

from ..models import Feedback, Theme
from .themes import active_themes

THEMES_PER_PAGE = 20
THEME_CUSTOMERS = 50
QUOTES = 3
# Representative quotes are the nearest to the centroid among a theme's newest items.
QUOTE_CANDIDATES = 2000
TREND_DAYS = 30
RANKS = {"customers": "customers affected", "revenue": "customer value", "trend": "trend", "size": "size"}
# Each rank sorts by a first number, then a second to break ties.
RANK_KEYS = {"customers": ("customers", "size"), "revenue": ("value", "customers"),
             "trend": ("change", "recent"), "size": ("size", "customers")}
# SQLite allows 999 parameters in a query: id lists are read in chunks below that.
ID_CHUNK = 900


def _vector(raw) -> np.ndarray:
    return np.frombuffer(bytes(raw), dtype=np.float32)


def _chunks(ids) -> list[list]:
    ids = list(ids)
    return [ids[start:start + ID_CHUNK] for start in range(0, len(ids), ID_CHUNK)]


# Channels as people read them; any other channel (e.g. "support") is shown capitalised.
CHANNEL_NAMES = {"survey": "Surveys", "meeting": "Meetings", "social": "Social media", "import": "Imported",
                 "api": "API"}


def channel_name(channel: str) -> str:
    return CHANNEL_NAMES.get(channel, channel[:1].upper() + channel[1:])


def channels(workspace) -> list[tuple[str, str]]:
    """The channels the workspace has feedback from: (key, name), by name."""
    keys = Feedback.objects.filter(workspace=workspace).values_list("channel", flat=True).distinct()
    return sorted(((k, channel_name(k)) for k in keys), key=lambda pair: pair[1])


def channel_mix(workspace) -> dict[int, dict[str, int]]:
    """Per theme: how many of its items came from each channel."""
    mix: dict[int, dict[str, int]] = {}
    rows = (Feedback.objects.filter(workspace=workspace, theme__isnull=False)
            .values_list("theme", "channel").annotate(n=Count("id")))
    for theme, channel, n in rows:
        mix.setdefault(theme, {})[channel] = n
    return mix


def theme_stats(workspace, channel: str = "") -> dict[int, Any]:
    """Per theme: distinct customers, items in the last 30 days and in the 30 before (of
    one channel when given)."""
    now = timezone.now()
    recent, before = now - dt.timedelta(days=TREND_DAYS), now - dt.timedelta(days=2 * TREND_DAYS)
    qs = Feedback.objects.filter(workspace=workspace, theme__isnull=False)
    if channel:
        qs = qs.filter(channel=channel)
    rows = (qs.values("theme")
            .annotate(customers=Count("customer", distinct=True),
                      recent=Count("id", filter=Q(time__gte=recent)),
                      previous=Count("id", filter=Q(time__gte=before, time__lt=recent))))
    return {r["theme"]: r for r in rows}


def theme_customers(workspace, theme_ids=None, channel: str = "") -> dict[int, set[int]]:
    """Per theme: the ids of the customers whose feedback (of one channel when given) is in it."""
    qs = Feedback.objects.filter(workspace=workspace, theme__isnull=False, customer__isnull=False)
    if channel:
        qs = qs.filter(channel=channel)
    if theme_ids is not None:
        qs = qs.filter(theme_id__in=theme_ids)
    out: dict[int, set[int]] = {}
    for theme_id, customer_id in qs.values_list("theme_id", "customer_id").distinct():
        out.setdefault(theme_id, set()).add(customer_id)
    return out


def customer_values(workspace, customer_ids, attribute: str) -> dict[int, float]:
    """Per customer: the number in its `attribute` (customers without one are left out)."""
    values = {}
    for chunk in _chunks(customer_ids):
        rows = (Customer.objects.filter(workspace=workspace, pk__in=chunk)
                .annotate(_v=KeyTransform(attribute, "attributes")).values_list("pk", "_v"))
        for pk, value in rows:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                values[pk] = float(value)
    return values


def representative_quotes(theme: Theme, n: int = QUOTES) -> list[Feedback]:
    items = list(Feedback.objects.filter(theme=theme, embedding__isnull=False)
                 .select_related("customer").only("id", "text", "embedding", "customer__name",
                                                  "customer__external_id", "time")
                 .order_by("-time", "-id")[:QUOTE_CANDIDATES])
    if not items or not theme.centroid:
        return items[:n]
    scores = np.vstack([_vector(f.embedding) for f in items]) @ _vector(theme.centroid)
    return [items[i] for i in np.argsort(-scores, kind="stable")[:n]]


def stage_breakdown(workspace, dimension, customers_of: dict[int, set[int]]) -> dict[int, list[dict]]:
    """Per theme: distinct customers at each stage of `dimension` (plus those not assessed)."""
    everyone = set().union(*customers_of.values()) if customers_of else set()
    stage_of: dict[int, Any] = {}
    for chunk in _chunks(everyone):
        stage_of.update(Customer.objects.filter(workspace=workspace, pk__in=chunk)
                        .annotate(_s=KeyTransform(dimension.key, "stages")).values_list("pk", "_s"))
    return {theme_id: _stage_rows(dimension, [stage_of.get(pk) for pk in members])
            for theme_id, members in customers_of.items()}


def _stage_rows(dimension, stages: list) -> list[dict]:
    counts = [0] * len(dimension.stages)
    unknown = 0
    for stage in stages:
        if isinstance(stage, int) and 0 <= stage < len(counts):
            counts[stage] += 1
        else:
            unknown += 1
    top = max(counts + [unknown, 1])
    rows = [{"name": s.name, "count": c, "percent": round(100 * c / top)} for s, c in zip(dimension.stages, counts)]
    if unknown:
        rows.append({"name": "Not assessed", "count": unknown, "percent": round(100 * unknown / top), "unknown": True})
    return rows


def ranked_themes(workspace, rank: str, attribute: str | None, channel: str = "") -> list[Theme]:
    """The live themes, best first, each carrying its numbers for the templates: items,
    customers, recent, previous, change, value (None unless ranked by value) and its channel
    mix. With a channel, only themes holding feedback from it, counted on that channel."""
    mix = channel_mix(workspace)
    themes = [t for t in active_themes(workspace) if t.size > 0 and (not channel or mix.get(t.pk, {}).get(channel))]
    stats = theme_stats(workspace, channel)
    values: dict[int, float] = {}
    if rank == "revenue" and attribute:
        customers_of = theme_customers(workspace, channel=channel)
        per_customer = customer_values(workspace, set().union(*customers_of.values()) if customers_of else set(),
                                       attribute)
        values = {tid: sum(per_customer.get(c, 0.0) for c in members) for tid, members in customers_of.items()}
    numbers = {}
    for t in themes:
        s = stats.get(t.pk, {})
        recent, previous = s.get("recent", 0), s.get("previous", 0)
        numbers[t.pk] = {"items": mix.get(t.pk, {}).get(channel, 0) if channel else t.size,
                         "channels": [(channel_name(c), n) for c, n in sorted(mix.get(t.pk, {}).items(),
                                                                              key=lambda cn: -cn[1])],
                         "customers": s.get("customers", 0), "recent": recent, "previous": previous,
                         "change": recent - previous,
                         "value": values.get(t.pk, 0.0) if values or rank == "revenue" else None}
    first, second = RANK_KEYS[rank]
    themes.sort(key=lambda t: (_number(t, numbers, first), _number(t, numbers, second), -t.pk), reverse=True)
    for t in themes:
        _show(t, **numbers[t.pk])
    return themes


def _number(theme: Theme, numbers: dict, name: str) -> float:
    return numbers[theme.pk]["items"] if name == "size" else numbers[theme.pk][name] or 0


def _show(theme: Theme, **extra) -> None:
    # What the board shows beside a theme rides on the Theme the templates already render.
    vars(theme).update(extra)


def theme_board(workspace, *, rank: str = "", attribute: str = "", dimension: str = "", channel: str = "",
                page=None) -> dict:
    """The board: one page of ranked themes, each with quotes and a stage breakdown.

    Unknown choices fall back: the rank to customers affected, the value attribute to the
    first numeric one (and "revenue" to customers when there is none), the dimension to the
    model's first. Returns the page and every choice actually made.
    """
    model = current_model(workspace)
    dimensions = list(model.dimensions) if model else []
    numbers = list(Attribute.objects.filter(workspace=workspace, type=AttributeType.NUMBER)
                   .values_list("name", flat=True))
    rank = rank if rank in RANKS else "customers"
    value_attribute = attribute if attribute in numbers else (numbers[0] if numbers else None)
    if rank == "revenue" and value_attribute is None:
        rank = "customers"
    by_key = {d.key: d for d in dimensions}
    chosen = by_key.get(dimension) or (dimensions[0] if dimensions else None)
    known_channels = channels(workspace)
    channel = channel if channel in dict(known_channels) else ""
    shown_page = Paginator(ranked_themes(workspace, rank, value_attribute, channel),
                           THEMES_PER_PAGE).get_page(page)
    shown = list(shown_page.object_list)
    breakdowns = {}
    if chosen is not None and shown:
        breakdowns = stage_breakdown(workspace, chosen, theme_customers(workspace, [t.pk for t in shown], channel))
    for t in shown:
        _show(t, quotes=representative_quotes(t), breakdown=breakdowns.get(t.pk, []), linked=by_key.get(t.dimension))
    return {"page": shown_page, "themes": shown, "rank": rank, "ranks": RANKS, "attribute": value_attribute,
            "numbers": numbers, "dimensions": dimensions, "dimension": chosen,
            "channel": channel, "channel_label": channel_name(channel) if channel else "", "channels": known_channels,
            "feedback_count": Feedback.objects.filter(workspace=workspace).count()}


def surviving_theme(theme: Theme) -> Theme:
    """The theme a merged (or split) theme now lives on in; the theme itself when it is live."""
    while theme.merged_into_id and theme.merged_into is not None:
        theme = theme.merged_into
    return theme


def theme_page(theme: Theme) -> dict:
    """A theme's page: its feedback newest first, the customers behind it, its quotes, and
    the themes it could absorb."""
    workspace = theme.workspace
    model = current_model(workspace)
    items = (Feedback.objects.filter(theme=theme).select_related("customer", "contact")
             .only("id", "text", "channel", "time", "customer__name", "customer__external_id",
                   "contact__name", "contact__email").order_by("-time", "-id"))
    customers = (Customer.objects.filter(workspace=workspace, feedback__theme=theme)
                 .annotate(items=Count("feedback", filter=Q(feedback__theme=theme)))
                 .order_by("-items", "name").only("id", "name", "external_id")[:THEME_CUSTOMERS])
    return {
        "items": items, "customers": customers,
        "customer_count": Feedback.objects.filter(theme=theme, customer__isnull=False)
        .values("customer").distinct().count(),
        "others": [t for t in active_themes(workspace) if t.pk != theme.pk and t.size > 0],
        "dimensions": list(model.dimensions) if model else [],
        "quotes": representative_quotes(theme),
    }


def themes_by_size(workspace):
    """The live themes, largest first, each with its count of distinct customers."""
    return (Theme.objects.filter(workspace=workspace, merged_into__isnull=True, size__gt=0)
            .annotate(customers=Count("feedback__customer", distinct=True)).order_by("-size", "key"))
