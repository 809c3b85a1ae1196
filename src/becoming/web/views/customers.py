"""The customer list (filter, sort, paginate from the Customer table only) and one customer."""

import datetime as dt

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.db.models.fields.json import KeyTransform
from django.shortcuts import get_object_or_404, render

from becoming.assessments.actions import explain_customer, latest_snapshot
from becoming.assessments.models import StageChange
from becoming.customers.models import Attribute, Customer
from becoming.signals.actions import store_for
from becoming.transformation.actions import current_version
from becoming.web.access import workspace_view

TIMELINE = 100
HISTORY = 50


def current_model(workspace):
    version = current_version(workspace)
    return version.parsed() if version else None


def typed(value: str, type_: str):
    """A filter value from the query string as it is stored in the attributes JSON."""
    if type_ == "number":
        try:
            return float(value)
        except ValueError:
            return None
    if type_ == "boolean":
        return value.strip().lower() in ("1", "true", "yes", "on")
    return value


def filter_customers(workspace, params, dimensions, attributes):
    """The list's queryset from the query string; returns (queryset, active filters)."""
    qs = Customer.objects.filter(workspace=workspace)
    active = {}
    q = params.get("q", "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(external_id__icontains=q))
        active["q"] = q
    for dim in dimensions:
        raw = params.get(f"stage_{dim.key}", "")
        if raw.isdigit():
            qs = qs.filter(**{f"stages__{dim.key}": int(raw)})
            active[f"stage_{dim.key}"] = raw
    name, value = params.get("attr", ""), params.get("value", "")
    if name in attributes and value != "":
        wanted = typed(value, attributes[name])
        # KeyTransform, not attributes__<name>: a header may hold "__" or spaces.
        qs = qs.alias(_attr=KeyTransform(name, "attributes")).filter(_attr=wanted)
        active.update(attr=name, value=value)
    return qs, active


def sort_customers(qs, sort: str, dimensions):
    keys = {d.key for d in dimensions}
    desc = sort.startswith("-")
    field = sort.lstrip("-")
    if field == "index":
        expr = F("index")
    elif field.startswith("stage_") and field[6:] in keys:
        expr = KeyTransform(field[6:], "stages")
    else:
        return qs.order_by("-name" if desc else "name", "id"), ("-name" if desc else "name")
    order = expr.desc(nulls_last=True) if desc else expr.asc(nulls_last=True)
    return qs.order_by(order, "id"), sort


@workspace_view("viewer")
def customer_list(request):
    ws = request.workspace
    model = current_model(ws)
    dimensions = model.dimensions if model else ()
    attributes = dict(Attribute.objects.filter(workspace=ws).values_list("name", "type"))
    qs, active = filter_customers(ws, request.GET, dimensions, attributes)
    qs, sort = sort_customers(qs, request.GET.get("sort", "name"), dimensions)
    qs = qs.only("id", "external_id", "name", "stages", "index", "assessed_on")
    page = paginate(qs, request.GET.get("page"), counted=not active)
    context = {
        "page": page, "dimensions": dimensions,
        "stage_filters": [(d, active.get(f"stage_{d.key}", "")) for d in dimensions], "attributes": attributes, "active": active,
        "sort": sort, "query": query_without(request.GET, "page"),
        "sort_query": query_without(request.GET, "page", "sort"),
    }
    template = "web/_customer_table.html" if request.headers.get("HX-Request") else "web/customers.html"
    return render(request, template, context)


class Window:
    """One page of a filtered list, found without counting every match.

    Counting a JSON or text filter scans the whole table once more; fetching one row past
    the page tells whether there is a next page, which is all the pager needs.
    """

    def __init__(self, qs, number: int, size: int):
        rows = list(qs[(number - 1) * size:number * size + 1])
        self.object_list = rows[:size]
        self.number = number
        self.has_next = len(rows) > size
        self.has_previous = number > 1
        self.next_page_number = number + 1
        self.previous_page_number = number - 1
        self.start_index = (number - 1) * size + 1 if rows else 0
        self.end_index = (number - 1) * size + len(self.object_list)
        self.paginator = None


def paginate(qs, raw_number, counted: bool):
    size = settings.CUSTOMERS_PER_PAGE
    if counted:  # the workspace's whole list: an index-only count
        return Paginator(qs, size).get_page(raw_number)
    number = int(raw_number) if str(raw_number or "").isdigit() and int(raw_number) > 0 else 1
    return Window(qs, number, size)


def query_without(params, *names) -> str:
    copy = params.copy()
    for name in names:
        copy.pop(name, None)
    return copy.urlencode()


@workspace_view("viewer")
def customer_detail(request, pk):
    ws = request.workspace
    customer = get_object_or_404(Customer, pk=pk, workspace=ws)
    snapshot = latest_snapshot(ws)
    explanation = explain_customer(snapshot, customer.pk) if snapshot else None
    from becoming.engage.surveys import self_assessed_stages
    from becoming.engage.views.inbox import customer_engagement, self_assessment_notes
    from becoming.outcomes.views import customer_outcomes

    before = parse_before(request.GET.get("before"))
    ladder_rows = ladders(snapshot, explanation)
    self_assessment_notes(ladder_rows, self_assessed_stages(customer))
    timeline = store_for(ws).timeline(customer.pk, limit=TIMELINE + 1, before=before)
    context = {
        "customer": customer,
        "attributes": [(k, plain_number(v)) for k, v in sorted(customer.attributes.items())],
        "contacts": customer.contacts.all(),
        "snapshot": snapshot,
        "ladders": ladder_rows,
        **customer_engagement(customer),
        "history": (StageChange.objects.filter(customer=customer)
                    .order_by("-as_of", "dimension")[:HISTORY]),
        "timeline": timeline[:TIMELINE],
        "older": timeline[TIMELINE - 1]["time"].isoformat() if len(timeline) > TIMELINE else None,
        "before": before,
        "outcomes": customer_outcomes(ws, customer.pk),
    }
    return render(request, "web/customer.html", context)


def plain_number(value):
    """8.0 reads as 8: numbers are stored as floats whatever the file said."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def parse_before(raw: str | None):
    try:
        return dt.datetime.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def ladders(snapshot, explanation) -> list[dict]:
    """Per dimension: every stage of the snapshot's model, with the explanation beside it."""
    if snapshot is None or not explanation:
        return []
    model = snapshot.model_version.parsed()
    by_key = {_get(e, "dimension") or _get(e, "key"): e for e in explanation}
    out = []
    for dim in model.dimensions:
        exp = by_key.get(dim.key)
        if exp is None:
            continue
        out.append({"dimension": dim, "explanation": exp, "stages": dim.stages,
                    "stage_index": _get(exp, "stage_index"),
                    "next_index": (_get(exp, "stage_index") or 0) + 1,
                    "target_index": dim.target_index,
                    "percent": min(100, round(100 * (_get(exp, "progress") or 0)))})
    return out


def _get(obj, name):
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
