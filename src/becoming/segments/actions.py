"""Saved segments and what can be done to every customer of one at once.

A segment stores the customer list's query parameters, not a list of customers: its
customers are whoever matches the filter now (see ``becoming.customers.actions.filter_customers``).
Bulk actions are the ones apps register (``registry.BulkAction``); this app calls them by name
and never imports the levers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pyarrow as pa
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from becoming import registry
from becoming.customers.actions import list_customers
from becoming.customers.models import Attribute, Customer

from .models import Segment

NAME_MAX: int = Segment._meta.get_field("name").max_length or 120
# Query parameters a filter can hold: plain names, short values, a handful of them. Anything
# the customer list does not understand is ignored by it, so this only bounds what is stored.
PARAM_RE = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
PARAM_MAX = 30
VALUE_MAX = 500
NOT_FILTERS = ("page", "csrfmiddlewaretoken", "name", "segment")


def clean_params(params: Mapping[str, Any]) -> dict[str, str]:
    """The filter part of a query string: non-empty values of plainly named parameters."""
    out: dict[str, str] = {}
    for key, value in params.items():
        if isinstance(value, list):  # a QueryDict's lists(): the last value wins, as in .get()
            value = value[-1] if value else ""
        if key in NOT_FILTERS or not PARAM_RE.match(str(key)) or value in (None, ""):
            continue
        text = str(value).strip()
        if len(text) > VALUE_MAX:
            raise ValidationError(f"filter {key}: at most {VALUE_MAX} characters")
        if text:
            out[str(key)] = text
    if len(out) > PARAM_MAX:
        raise ValidationError(f"a segment holds at most {PARAM_MAX} filters")
    return out


def _clean_name(workspace, name: str, segment: Segment | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError("name: a segment needs a name")
    if len(name) > NAME_MAX:
        raise ValidationError(f"name: at most {NAME_MAX} characters")
    taken = Segment.objects.filter(workspace=workspace, name__iexact=name)
    if segment is not None:
        taken = taken.exclude(pk=segment.pk)
    if taken.exists():
        raise ValidationError(f"name: there is already a segment called {name!r}")
    return name


def create_segment(workspace, name: str, params: Mapping[str, Any], user=None) -> Segment:
    """Save the filter ``params`` (the customer list's query parameters) as segment ``name``."""
    name = _clean_name(workspace, name)
    params = clean_params(params)
    if params.get("owner") == "me":
        # A segment is shared: "my accounts" saved by Ana stays Ana's accounts for everyone.
        if user is None or not getattr(user, "email", ""):
            raise ValidationError("owner: 'me' needs a signed-in member; name the owner's email")
        params["owner"] = user.email
    try:
        with transaction.atomic():
            return Segment.objects.create(workspace=workspace, name=name,
                                          params=params, created_by=user)
    except IntegrityError:  # saved by someone else at the same moment
        raise ValidationError(f"name: there is already a segment called {name!r}") from None


def rename_segment(segment: Segment, name: str) -> Segment:
    segment.name = _clean_name(segment.workspace, name, segment)
    segment.save(update_fields=["name", "updated"])
    return segment


def delete_segment(segment: Segment) -> None:
    segment.delete()


def segments_of(workspace) -> QuerySet[Segment]:
    return Segment.objects.filter(workspace=workspace).select_related("created_by")


def get_segment(workspace, ref: str | int) -> Segment:
    """A segment by id or by name (case does not matter); ValidationError when there is none."""
    qs = Segment.objects.filter(workspace=workspace)
    found = (qs.filter(pk=int(ref)).first() if str(ref).isdigit() else None) \
        or qs.filter(name__iexact=str(ref).strip()).first()
    if found is None:
        names = ", ".join(qs.values_list("name", flat=True)[:20]) or "none yet"
        raise ValidationError(f"no segment {ref!r} in this workspace (segments: {names})")
    return found


def matching(workspace, params: Mapping[str, Any]) -> QuerySet[Customer]:
    """The customers the filter ``params`` matches now, ordered by name (a plain queryset:
    sorting by a stage is for pages, not for bulk work)."""
    filters = {k: v for k, v in clean_params(params).items() if k != "sort"}
    return list_customers(workspace, filters)["customers"]


def describe(workspace, params: Mapping[str, Any]) -> list[str]:
    """The filter in words people read: dimension and stage names, not keys and indexes."""
    from becoming.transformation.actions import current_model

    params = clean_params(params)
    model = current_model(workspace)
    out = []
    if params.get("q"):
        out.append(f"name or id contains “{params['q']}”")
    for dim in model.dimensions if model else ():
        raw = params.get(f"stage_{dim.key}", "")
        if raw.isdigit() and int(raw) < len(dim.stages):
            out.append(f"{dim.name}: {dim.stages[int(raw)].name}")
    if params.get("attr") and params.get("value"):
        out.append(f"{params['attr']} is {params['value']}")
    owner = params.get("owner", "")
    if owner:
        out.append("no owner" if owner == "none" else f"owned by {owner}")
    if params.get("status") in Customer.Status.values:
        out.append(f"status {Customer.Status(params['status']).label.lower()}")
    return out or ["every customer"]


def export_table(workspace, params: Mapping[str, Any]) -> pa.Table:
    """One row per matching customer: id, name, index, each dimension's stage (by name,
    columns named after the dimensions), then every attribute."""
    from becoming.transformation.actions import current_model

    model = current_model(workspace)
    dims = model.dimensions if model else ()
    types = dict(Attribute.objects.filter(workspace=workspace).values_list("name", "type"))
    names = list(types)
    columns: dict[str, list] = {"customer_id": [], "name": [], "transformation_index": []}
    columns.update({d.name: [] for d in dims})
    attr_columns = {n: (n if n not in columns else f"attribute {n}") for n in names}
    columns.update({c: [] for c in attr_columns.values()})
    rows = matching(workspace, params).only("external_id", "name", "index", "stages", "attributes")
    for c in rows.iterator(chunk_size=2000):
        columns["customer_id"].append(c.external_id)
        columns["name"].append(c.name)
        columns["transformation_index"].append(None if c.index is None else round(c.index, 1))
        for d in dims:
            i = c.stages.get(d.key)
            columns[d.name].append(d.stages[i].name if isinstance(i, int) and i < len(d.stages) else None)
        for n, col in attr_columns.items():
            columns[col].append(_cell(c.attributes.get(n), types[n]))
    kinds = {"transformation_index": pa.float64()}
    kinds.update({col: ARROW_TYPES.get(types[n], pa.string()) for n, col in attr_columns.items()})
    return pa.table({k: pa.array(v, type=kinds.get(k, pa.string())) for k, v in columns.items()})


# Attributes keep their type in the export (a number stays a number); dates are ISO text.
ARROW_TYPES = {"number": pa.float64(), "boolean": pa.bool_()}


def _cell(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "number":
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if kind == "boolean":
        return value if isinstance(value, bool) else None
    return str(value)


def export_csv(workspace, params: Mapping[str, Any]) -> bytes:
    from becoming.web.export import table_csv_bytes

    return table_csv_bytes(export_table(workspace, params))


def bulk_actions(membership=None) -> list[registry.BulkAction]:
    """The bulk actions registered by the apps (only those ``membership`` may take)."""
    return [a for a in registry.BULK_ACTIONS if membership is None or membership.can(a.role)]


def bulk_action(key: str) -> registry.BulkAction:
    found = next((a for a in registry.BULK_ACTIONS if a.key == key), None)
    if found is None:
        known = ", ".join(a.key for a in registry.BULK_ACTIONS)
        raise ValidationError(f"no bulk action {key!r}; there are: {known}")
    return found


def bulk_form(action: registry.BulkAction, workspace, data=None):
    """The action's options form, or None when it takes none."""
    return registry.resolve(action.form)(workspace, data=data) if action.form else None


def run_bulk(workspace, key: str, params: Mapping[str, Any], options: Mapping[str, Any] | None = None,
             *, user=None, base_url: str = "http://localhost") -> str:
    """Run bulk action ``key`` on every customer the filter ``params`` matches now; returns
    the action's own summary. ``options`` are the raw values of the action's form."""
    action = bulk_action(key)
    form = bulk_form(action, workspace, data=options or {})
    cleaned: dict[str, Any] = {}
    if form is not None:
        if not form.is_valid():
            raise ValidationError([f"{action.label}: {form.fields[f].label or f}: {'; '.join(e)}"
                                   if f in form.fields else f"{action.label}: {'; '.join(e)}"
                                   for f, e in form.errors.items()])
        cleaned = form.cleaned_data
    customers = matching(workspace, params)
    if not customers.exists():
        raise ValidationError("no customer matches this filter: nothing to do")
    return registry.resolve(action.target)(workspace, customers, user=user, base_url=base_url, **cleaned)
