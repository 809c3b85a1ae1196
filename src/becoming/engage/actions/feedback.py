"""Feedback in: from files, the API, survey answers and meeting notes; themed as it arrives.
And the one filter of the feedback list, for the page and the API.

Every way in goes through `check_feedback`, so a text, a customer or a source id means the
same wherever it comes from; only where an error points differs (a file's row and column,
the API's ``items[n].field``).
"""

import datetime as dt

import numpy as np
import pyarrow.compute as pc
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from becoming.customers.models import Customer
from becoming.tabular.events import time_column
from becoming.tabular.read import TabularError, read_table, require_plain, row_position

from ..models import Feedback

# Longer texts are almost always pasted threads or logs, not one customer's voice; the
# limit keeps them out with a clear message instead of letting them swamp a theme.
MAX_CHARS = 20_000
BATCH = 1000
# SQLite allows 999 parameters in a query: id lists are read in chunks below that.
ID_CHUNK = 900


# -- the one check and the one way in ---------------------------------------------------------

def check_feedback(workspace, items: list[dict], where=None) -> list[Feedback]:
    """The one check of new feedback: every item, or ValidationError naming the first bad one.

    An item is a dict: ``text`` (required, at most MAX_CHARS once stripped); the customer as
    ``customer_id`` (an external id) or ``customer`` (a Customer of the workspace);
    ``contact``; ``channel`` (default "api"); ``time`` (default now); ``id``, its id in its
    source (an id already stored on the channel is skipped when saving); and the links
    ``meeting`` and ``survey_response``. ``where(index, field)`` says where a field came from
    in error messages; by default ``items[<index>].<field>``, as the API names them.
    """
    where = where or (lambda index, field: f"items[{index}].{field}")
    known = _customer_ids(workspace, {str(i["customer_id"]).strip() for i in items if i.get("customer_id")})
    now = timezone.now()
    checked = []
    for n, item in enumerate(items):
        text = str(item.get("text") or "").strip()
        if not text:
            raise ValidationError(f"{where(n, 'text')}: the text is empty")
        if len(text) > MAX_CHARS:
            raise ValidationError(f"{where(n, 'text')}: the text has {len(text):,} characters; "
                                  f"at most {MAX_CHARS:,} are taken")
        external = str(item.get("customer_id") or "").strip()
        if external and external not in known:
            raise ValidationError(f"{where(n, 'customer_id')}: unknown customer {external!r}")
        customer = item.get("customer")
        if customer is not None and customer.workspace_id != workspace.pk:
            raise ValidationError(f"{where(n, 'customer')}: not in this workspace")
        checked.append(Feedback(
            workspace=workspace, customer_id=known[external] if external else getattr(customer, "pk", None),
            contact=item.get("contact"), channel=item.get("channel") or Feedback.Channel.API, text=text,
            time=item.get("time") or now, source_id=str(item.get("id") or ""),
            meeting=item.get("meeting"), survey_response=item.get("survey_response")))
    return checked


def _chunks(values) -> list[list]:
    values = list(values)
    return [values[start:start + ID_CHUNK] for start in range(0, len(values), ID_CHUNK)]


def _customer_ids(workspace, external_ids) -> dict[str, int]:
    known: dict[str, int] = {}
    for chunk in _chunks(external_ids):
        known.update(Customer.objects.filter(workspace=workspace, external_id__in=chunk)
                     .values_list("external_id", "id"))
    return known


def add_feedback_items(workspace, items: list[dict], *, where=None, progress=None, dry_run=False) -> dict:
    """Check every item (see check_feedback), then store them all, themed, or none.

    The way in for the API, files and single items alike. Returns rows, added and skipped
    (already stored); a dry run checks and counts, and stores nothing.
    """
    checked = check_feedback(workspace, items, where)
    if dry_run:
        added = len(_fresh(workspace, checked))
        return {"rows": len(checked), "added": added, "skipped": len(checked) - added}
    return save_feedback(workspace, checked, progress)


def add_feedback(workspace, text: str, *, customer=None, contact=None, channel="api",
                 time=None, source_id="", **links) -> Feedback:
    """One piece of feedback (a survey answer, meeting notes), checked like any other."""
    [item] = check_feedback(workspace, [{"text": text, "customer": customer, "contact": contact,
                                         "channel": channel, "time": time, "id": source_id, **links}],
                            where=lambda index, field: field)
    save_feedback(workspace, [item])
    return item


def _fresh(workspace, items: list[Feedback]) -> list[Feedback]:
    """The items whose (channel, source id) is not stored yet."""
    seen: set[tuple[str, str]] = set()
    for chunk in _chunks({f.source_id for f in items if f.source_id}):
        seen.update(Feedback.objects.filter(workspace=workspace, source_id__in=chunk)
                    .values_list("channel", "source_id"))
    return [f for f in items if not (f.source_id and (f.channel, f.source_id) in seen)]


def save_feedback(workspace, items: list[Feedback], report=None) -> dict:
    """Embed, theme (against the current themes) and store checked feedback; skip known source ids."""
    from .themes import assign_to_themes, embed_texts, refresh_sizes

    report = report or (lambda *a, **k: None)
    fresh = _fresh(workspace, items)
    vectors = embed_texts([f.text for f in fresh], report)
    themes = assign_to_themes(workspace, vectors)
    for item, vector, theme in zip(fresh, vectors, themes):
        item.embedding = vector.astype(np.float32).tobytes()
        item.theme_id = theme
    with transaction.atomic():
        Feedback.objects.bulk_create(fresh, batch_size=BATCH)
        refresh_sizes(workspace)
    report(len(items), total=len(items), message="done")
    return {"rows": len(items), "added": len(fresh), "skipped": len(items) - len(fresh)}


# -- files ------------------------------------------------------------------------------------

def import_feedback(workspace, path, *, text_column, id_column=None, customer_column=None,
                    channel="import", time_column=None, file_name=None, progress=None,
                    dry_run=False) -> dict:
    """Check every row, then store all feedback (themed when themes exist), or none.

    Errors name the file, the row and the column. A row's id is its ``id_column`` value, else
    its row number, so importing the same file twice adds nothing the second time.
    """
    report = progress or (lambda *a, **k: None)
    file_name = file_name or str(path)
    try:
        table = read_table(path)
    except TabularError as exc:
        raise ValidationError(str(exc)) from None
    columns = {"text": text_column, "id": id_column, "customer_id": customer_column, "time": time_column}
    for field, column in columns.items():
        if column and column not in table.column_names:
            raise ValidationError(f"{file_name}: no column {column!r} for the feedback "
                                  f"{field.removesuffix('_id')}; columns are: {', '.join(table.column_names)}")
        if column:
            try:
                require_plain(table, column, file_name)
            except TabularError as exc:
                raise ValidationError(str(exc)) from None
    label, first = row_position(table)

    def where(index, field):
        return f'{file_name}, {label} {first + index}, column "{columns[field]}"'

    def values(column):
        return table.column(column).cast("string").to_pylist() if column else [None] * table.num_rows

    ids = values(id_column) if id_column else [str(first + i) for i in range(table.num_rows)]
    items = [{"text": text, "customer_id": customer, "time": time, "id": id_, "channel": channel}
             for text, customer, time, id_ in zip(values(text_column), values(customer_column),
                                                   _times(file_name, table, time_column), ids)]
    report(0, total=len(items), message="reading feedback")
    return add_feedback_items(workspace, items, where=where, progress=report, dry_run=dry_run)


def _times(file_name, table, column) -> list[dt.datetime | None]:
    if not column:
        return [None] * table.num_rows
    try:
        parsed = time_column(table, file_name, column)
    except TabularError as exc:
        raise ValidationError(str(exc)) from None
    return [t.replace(tzinfo=dt.UTC) for t in pc.cast(parsed, "timestamp[us]").to_pylist()]


def import_feedback_job(job, progress, path, **options):
    return import_feedback(job.workspace, path, progress=progress, **options)


# -- the feedback list --------------------------------------------------------------------------

def filter_feedback(workspace, params) -> tuple:
    """The feedback list's one filter (page and API): (queryset newest first, active filters).

    ``params`` is a mapping of strings, blank ones ignored: ``channel``; ``theme``, a theme's
    id, its key (keys are never all digits: T1, T2…) or "none" for feedback without a theme;
    ``customer``, words in the customer's name or external id, or ``customer_id``, the exact
    external id; ``q``, words in the text.
    """
    qs = Feedback.objects.filter(workspace=workspace)
    active = {name: value for name in ("channel", "theme", "customer", "customer_id", "q")
              if (value := str(params.get(name) or "").strip())}
    theme = active.get("theme", "")
    if theme == "none":
        qs = qs.filter(theme__isnull=True)
    elif theme.isdigit():
        qs = qs.filter(theme_id=int(theme))
    elif theme:
        qs = qs.filter(theme__key=theme)
    if "channel" in active:
        qs = qs.filter(channel=active["channel"])
    if "customer" in active:
        words = active["customer"]
        qs = qs.filter(Q(customer__name__icontains=words) | Q(customer__external_id__icontains=words))
    if "customer_id" in active:
        qs = qs.filter(customer__external_id=active["customer_id"])
    if "q" in active:
        qs = qs.filter(text__icontains=active["q"])
    return qs.order_by("-time", "-id"), active
