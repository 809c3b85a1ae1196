"""Feedback in: from files, the API, survey answers and meeting notes; themed as it arrives."""

import datetime as dt

import numpy as np
import pyarrow.compute as pc
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from becoming.customers.lookup import chunks
from becoming.customers.models import Customer
from becoming.tabular.events import time_column
from becoming.tabular.read import TabularError, read_table, row_position

from .models import Feedback

# Longer texts are almost always pasted threads or logs, not one customer's voice; the
# limit keeps them out with a clear message instead of letting them swamp a theme.
MAX_CHARS = 20_000
BATCH = 1000


def _row(table, index: int) -> str:
    label, first = row_position(table)
    return f"{label} {first + index}"


def _fail(file_name, table, index, column, message):
    raise ValidationError(f'{file_name}, {_row(table, index)}, column "{column}": {message}')


def import_feedback(workspace, path, *, text_column, id_column=None, customer_column=None,
                    channel="import", time_column=None, file_name=None, progress=None,
                    dry_run=False) -> dict:
    """Check every row, then store all feedback (themed when themes exist), or none."""
    report = progress or (lambda *a, **k: None)
    file_name = file_name or str(path)
    try:
        table = read_table(path)
    except TabularError as exc:
        raise ValidationError(str(exc)) from None
    for option, column in (("text", text_column), ("id", id_column), ("customer", customer_column),
                           ("time", time_column)):
        if column and column not in table.column_names:
            raise ValidationError(f"{file_name}: no column {column!r} for the feedback {option}; "
                                  f"columns are: {', '.join(table.column_names)}")
    texts = _texts(file_name, table, text_column)
    customers = _customers(workspace, file_name, table, customer_column)
    times = _times(file_name, table, time_column)
    label, first = row_position(table)
    ids = (table.column(id_column).cast("string").to_pylist() if id_column
           else [str(first + i) for i in range(len(texts))])
    report(0, total=len(texts), message="reading feedback")
    if dry_run:
        return {"rows": len(texts), "added": 0, "skipped": 0}
    items = [Feedback(workspace=workspace, customer_id=c, channel=channel, source_id=i or "",
                      text=t, time=w) for t, c, w, i in zip(texts, customers, times, ids)]
    return save_feedback(workspace, items, report)


def _texts(file_name, table, column) -> list[str]:
    texts = [(t or "").strip() for t in table.column(column).cast("string").to_pylist()]
    for i, text in enumerate(texts):
        if not text:
            _fail(file_name, table, i, column, "the text is empty")
        if len(text) > MAX_CHARS:
            _fail(file_name, table, i, column,
                  f"the text has {len(text):,} characters; at most {MAX_CHARS:,} are taken")
    return texts


def _customers(workspace, file_name, table, column) -> list[int | None]:
    if not column:
        return [None] * table.num_rows
    known = dict(Customer.objects.filter(workspace=workspace).values_list("external_id", "id"))
    out = []
    for i, raw in enumerate(table.column(column).cast("string").to_pylist()):
        value = (raw or "").strip()
        if value and value not in known:
            _fail(file_name, table, i, column, f"unknown customer {value!r}")
        out.append(known.get(value))
    return out


def _times(file_name, table, column) -> list[dt.datetime]:
    if not column:
        return [timezone.now()] * table.num_rows

    try:
        parsed = time_column(table, file_name, column)
    except TabularError as exc:
        raise ValidationError(str(exc)) from None
    return [t.replace(tzinfo=dt.UTC) for t in pc.cast(parsed, "timestamp[us]").to_pylist()]


def save_feedback(workspace, items: list[Feedback], report=None) -> dict:
    """Embed, theme (against the current themes) and store new feedback; skip known source ids."""
    from .themes import assign_to_themes, embed_texts, refresh_sizes

    report = report or (lambda *a, **k: None)
    seen = set()
    for part in chunks(sorted({f.source_id for f in items if f.source_id})):  # parameter limits
        seen.update(Feedback.objects.filter(workspace=workspace, source_id__in=part)
                    .values_list("channel", "source_id"))
    fresh = [f for f in items if not (f.source_id and (f.channel, f.source_id) in seen)]
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


def import_feedback_job(job, progress, path, **options):
    return import_feedback(job.workspace, path, progress=progress, **options)


def add_feedback(workspace, text: str, *, customer=None, contact=None, channel="api",
                 time=None, source_id="", **links) -> Feedback:
    """One piece of feedback (from the API, a survey answer or meeting notes)."""
    text = (text or "").strip()
    if not text:
        raise ValidationError("text: must not be empty")
    if len(text) > MAX_CHARS:
        raise ValidationError(f"text: {len(text):,} characters; at most {MAX_CHARS:,} are taken")
    item = Feedback(workspace=workspace, customer=customer, contact=contact, channel=channel,
                    text=text, time=time or timezone.now(), source_id=source_id, **links)
    save_feedback(workspace, [item])
    return item
