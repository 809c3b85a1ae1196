"""The customer list's one filter and sort, shared by the pages, the API and segments."""


from django.db.models import Exists, F, OuterRef, Q
from django.db.models.fields.json import KeyTransform

from ..models import Attribute, Customer, CustomerStage


def search_customers(workspace, q: str = ""):
    """Customers whose name or external id contains ``q`` (all of them when blank)."""
    qs = Customer.objects.filter(workspace=workspace)
    q = (q or "").strip()
    return qs.filter(Q(name__icontains=q) | Q(external_id__icontains=q)) if q else qs


def typed(value: str, type_: str):
    """A filter value from a query string as it is stored in the attributes JSON."""
    if type_ == "number":
        try:
            return float(value)
        except ValueError:
            return None
    if type_ == "boolean":
        return value.strip().lower() in ("1", "true", "yes", "on")
    return value


def filter_customers(workspace, params, dimensions, user=None) -> tuple:
    """The customer list's one filter (pages and API): returns (queryset, active filters).

    ``params`` is a mapping: ``q``, ``stage_<dimension key>`` (a stage index), ``attr``
    with ``value`` (an attribute equal to a value, typed like the attribute), ``owner``
    (``me`` for ``user``'s accounts, ``none`` for accounts without an owner, or a member's
    email) and ``status`` (trial, active or churned).
    """
    q = params.get("q", "").strip()
    qs = search_customers(workspace, q)
    active = {"q": q} if q else {}
    owner = params.get("owner", "").strip()
    if owner == "me" and user is not None:
        qs, active["owner"] = qs.filter(owner=user), owner
    elif owner == "none":
        qs, active["owner"] = qs.filter(owner__isnull=True), owner
    elif "@" in owner:
        qs, active["owner"] = qs.filter(owner__email__iexact=owner), owner
    status = params.get("status", "").strip().lower()
    if status in Customer.Status.values:
        qs, active["status"] = qs.filter(status=status), status
    for dim in dimensions:
        raw = params.get(f"stage_{dim.key}", "")
        if raw.isdigit():
            # The stage rows' index, probed per customer: never the JSON of every customer.
            qs = qs.filter(Exists(CustomerStage.objects.filter(
                customer=OuterRef("pk"), dimension=dim.key, stage_index=int(raw))))
            active[f"stage_{dim.key}"] = raw
    attributes = dict(Attribute.objects.filter(workspace=workspace).values_list("name", "type"))
    name, value = params.get("attr", ""), params.get("value", "")
    if name in attributes and value != "":
        wanted = typed(value, attributes[name])
        # KeyTransform, not attributes__<name>: a header may hold "__" or spaces.
        qs = qs.alias(_attr=KeyTransform(name, "attributes")).filter(_attr=wanted)
        active.update(attr=name, value=value)
    return qs, active


def list_customers(workspace, params, default_sort: str = "name", user=None) -> dict:
    """The customer list of the page and the API: search, filters and sort from ``params``
    (see :func:`filter_customers`; ``sort`` as in :func:`sort_customers`), with the current
    model's dimensions. Returns {"customers", "active", "sort", "dimensions"}."""
    from becoming.transformation.actions import current_model

    model = current_model(workspace)
    dimensions = model.dimensions if model else ()
    qs, active = filter_customers(workspace, params, dimensions, user=user)
    if not params.get("sort") and default_sort == "external_id":
        qs, sort = qs.order_by("external_id"), ""
    else:
        qs, sort = sort_customers(qs, params.get("sort") or default_sort, dimensions)
    return {"customers": qs, "active": active, "sort": sort, "dimensions": dimensions}


def sort_customers(qs, sort: str, dimensions) -> tuple:
    """Order by name, index, arr, renewal or a dimension's stage (``-`` for descending);
    returns (queryset, sort).

    By a stage, the result is a :class:`StageSorted` (customers with a stage on that
    dimension in stage order, then the others), which pages like a queryset.
    """
    keys = {d.key for d in dimensions}
    desc = sort.startswith("-")
    field = sort.lstrip("-")
    columns = {"index": "index", "arr": "arr", "renewal": "renewal_date"}
    if field in columns:
        col = F(columns[field])
        order = col.desc(nulls_last=True) if desc else col.asc(nulls_last=True)
        return qs.order_by(order, "id"), sort
    if field.startswith("stage_") and field[6:] in keys:
        return StageSorted(qs, field[6:], desc), sort
    return qs.order_by("-name" if desc else "name", "id"), ("-name" if desc else "name")


class StageSorted:
    """Customers of ``qs`` ordered by their stage on ``dimension``, ties by id (both
    descending with ``desc``), then the customers without a stage on it (not assessed since
    they came, or since the dimension was added), by id.

    The first part walks the ``CustomerStage`` index in order (no sort of every customer);
    the second is read only by the pages past the first part. Offers what the list pages
    and Django's paginator use of a queryset: ``count()``, slices, iteration, ``only()``, ``select_related()``.
    """

    ordered = True  # for Paginator's check

    def __init__(self, qs, dimension: str, desc: bool):
        self.qs, self.dimension, self.desc = qs, dimension, desc
        staged = qs.filter(stage_rows__dimension=dimension,
                           stage_rows__workspace_id=F("workspace_id"))
        by = ("-stage_rows__stage_index", "-stage_rows__customer_id") if desc else \
            ("stage_rows__stage_index", "stage_rows__customer_id")
        self.staged = staged.order_by(*by)
        self.unstaged = qs.exclude(Exists(CustomerStage.objects.filter(
            customer=OuterRef("pk"), dimension=dimension))).order_by("-id" if desc else "id")

    def only(self, *fields) -> "StageSorted":
        copy = StageSorted.__new__(StageSorted)
        copy.__dict__.update(self.__dict__, staged=self.staged.only(*fields),
                             unstaged=self.unstaged.only(*fields), qs=self.qs.only(*fields))
        return copy

    def select_related(self, *fields) -> "StageSorted":
        copy = StageSorted.__new__(StageSorted)
        copy.__dict__.update(self.__dict__, staged=self.staged.select_related(*fields),
                             unstaged=self.unstaged.select_related(*fields),
                             qs=self.qs.select_related(*fields))
        return copy

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self):
        yield from self.staged
        yield from self.unstaged

    def __getitem__(self, key):
        if isinstance(key, int):
            rows = self[key:key + 1]
            if not rows:
                raise IndexError(key)
            return rows[0]
        start, stop = key.start or 0, key.stop
        rows = list(self.staged[start:stop])
        if stop is not None and len(rows) == stop - start:
            return rows
        # The staged part ended inside (or before) this slice: how long was it?
        staged = start + len(rows) if rows else self.staged.count()
        tail = self.unstaged[max(0, start - staged):None if stop is None else stop - staged]
        return rows + list(tail)
