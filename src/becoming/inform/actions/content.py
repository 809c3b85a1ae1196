"""The content library: items added, edited, imported from files, rendered, filtered.

Targeting names a dimension of the workspace's model and the stage an item helps readers
move on from (``toward`` defaults to the next stage); files may name both by key or by name.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlparse

import nh3
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from markdown_it import MarkdownIt

from becoming.tabular.read import TabularError, read_table, require_plain, row_position

from ..models import Item

TAG_SPLIT = re.compile(r"[;,]")
MAX_TAGS = 30

# -- Markdown, rendered safely --------------------------------------------------------------

# markdown-it with raw HTML off turns "<script>" into text; nh3 (ammonia) then keeps only
# harmless tags and attributes, so no script, no event handler, no javascript: link survives.
_MD = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
ALLOWED_TAGS = {"p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre",
                "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th",
                "td", "del", "s"}


def render_markdown(text: str) -> str:
    """Markdown → HTML that is safe to put in a page (no script, no event handlers)."""
    html = _MD.render(text or "")
    return nh3.clean(html, tags=ALLOWED_TAGS,
                     attributes={"a": {"href", "title"}, "img": {"src", "alt", "title"}},
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")


# -- kinds, tags, targeting -----------------------------------------------------------------

def kind_of(value: str) -> str | None:
    """A kind from its key or its label, any case ("Case study", "case_study"); else None."""
    text = re.sub(r"[\s/-]+", "_", str(value or "").strip().lower())
    for key, label in Item.Kind.choices:
        if text in (key, re.sub(r"[\s/-]+", "_", label.lower())):
            return key
    aliases = {"blog_post": "blog", "post": "blog", "conference": "event", "whitepaper": "white_paper",
               "newsletter_issue": "newsletter", "case": "case_study", "industry_link": "link"}
    return aliases.get(text)


def split_tags(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else TAG_SPLIT.split(str(value))
    seen: dict[str, None] = {}
    for tag in items:
        tag = str(tag).strip()
        if tag and tag.lower() not in {t.lower() for t in seen}:
            seen[tag[:60]] = None
    return list(seen)[:MAX_TAGS]


def current_model(workspace):
    from becoming.transformation.actions import current_model as model

    return model(workspace)


def resolve_targeting(model, dimension: str, stage: str, toward: str = "") -> tuple[str, str, str]:
    """(dimension key, stage key, toward key) from keys or names; ValidationError (with a
    message naming what is unknown) otherwise. Blank dimension: not targeted."""
    dimension, stage, toward = (str(v or "").strip() for v in (dimension, stage, toward))
    if not dimension:
        if stage:
            raise ValidationError("a stage needs a dimension")
        return "", "", ""
    if model is None:
        raise ValidationError("targeting needs a transformation model: apply one first")
    dim = next((d for d in model.dimensions if dimension.lower() in (d.key.lower(), d.name.lower())), None)
    if dim is None:
        names = ", ".join(d.key for d in model.dimensions)
        raise ValidationError(f"unknown dimension {dimension!r} (the model has {names})")
    keys = [s.key for s in dim.stages]

    def find(value: str, what: str) -> int:
        for i, s in enumerate(dim.stages):
            if value.lower() in (s.key.lower(), s.name.lower()):
                return i
        raise ValidationError(f"unknown {what} {value!r} on {dim.key} (its stages are {', '.join(keys)})")

    if not stage:
        raise ValidationError(f"name the stage on {dim.key} the item helps readers move on from")
    at = find(stage, "stage")
    if toward:
        to = find(toward, "stage")
        if to <= at:
            raise ValidationError(f"toward {keys[to]!r} is not above {keys[at]!r} on {dim.key}")
    else:
        to = min(at + 1, len(keys) - 1)
    return dim.key, keys[at], keys[to] if to != at else ""


def check_url(url: str) -> str:
    url = str(url or "").strip()
    if url and (urlparse(url).scheme not in ("http", "https") or not urlparse(url).netloc):
        raise ValidationError(f"{url[:100]!r} is not a web address (http or https)")
    return url


# -- one item -------------------------------------------------------------------------------

EDITABLE = ("kind", "title", "summary", "url", "body", "tags", "language", "published", "dimension",
            "stage", "toward", "industries", "segments", "starts", "ends", "place")


def save_item(workspace, data: dict, item: Item | None = None) -> Item:
    """Add an item (``item`` None) or change one; ValidationError names the field."""
    item = item or Item(workspace=workspace, source="app")
    if item.workspace_id != workspace.pk:
        raise ValidationError("item: not in this workspace")
    values = {**{f: getattr(item, f) for f in EDITABLE}, **{k: v for k, v in data.items() if k in EDITABLE}}
    title = str(values.get("title") or "").strip()
    if not title:
        raise ValidationError("title: an item needs a title")
    kind = kind_of(values.get("kind") or "article")
    if kind is None:
        raise ValidationError(f"kind: unknown kind {values.get('kind')!r}")
    try:
        url = check_url(values.get("url") or "")
    except ValidationError as exc:
        raise ValidationError(f"url: {exc.messages[0]}") from None
    try:
        dim, stage, toward = resolve_targeting(current_model(workspace), values.get("dimension") or "",
                                               values.get("stage") or "", values.get("toward") or "")
    except ValidationError as exc:
        raise ValidationError(f"targeting: {exc.messages[0]}") from None
    starts, ends = values.get("starts"), values.get("ends")
    if starts and ends and ends < starts:
        raise ValidationError("ends: an event ends after it starts")
    item.kind, item.title, item.url = kind, title[:300], url
    item.summary = str(values.get("summary") or "")
    item.body = str(values.get("body") or "")
    item.tags = split_tags(values.get("tags"))
    item.industries = split_tags(values.get("industries"))
    item.segments = split_tags(values.get("segments"))
    item.language = str(values.get("language") or "")[:20]
    item.published = values.get("published")
    item.dimension, item.stage, item.toward = dim, stage, toward
    item.starts, item.ends, item.place = starts, ends, str(values.get("place") or "")[:300]
    if not item.external_id:
        item.external_id = data.get("external_id") or f"item-{timezone.now():%Y%m%d%H%M%S%f}"
    elif "external_id" in data and data["external_id"] != item.external_id:
        raise ValidationError("external_id: an item keeps its id")
    if Item.objects.filter(workspace=workspace, external_id=item.external_id).exclude(pk=item.pk).exists():
        raise ValidationError(f"external_id: another item has the id {item.external_id!r}")
    item.save()
    return item


def get_item(workspace, pk) -> Item:
    item = Item.objects.filter(workspace=workspace, pk=pk).first()
    if item is None:
        raise ValidationError(f"item {pk}: no such item in this workspace")
    return item


# -- the library's one filter ---------------------------------------------------------------

def filter_items(workspace, params) -> tuple[QuerySet, dict]:
    """The library's filter, for the page and the API: (items, active filters).

    ``params``: ``q`` (words in title, summary or tags), ``kind``, ``tag``, ``dimension``,
    ``stage`` (a stage key on that dimension).
    """
    qs = Item.objects.filter(workspace=workspace)
    active = {name: value for name in ("q", "kind", "tag", "dimension", "stage")
              if (value := str(params.get(name) or "").strip())}
    if "q" in active:
        for word in active["q"].split()[:8]:
            qs = qs.filter(Q(title__icontains=word) | Q(summary__icontains=word) | Q(tags__icontains=word))
    if active.get("kind") in Item.Kind.values:
        qs = qs.filter(kind=active["kind"])
    else:
        active.pop("kind", None)
    if "tag" in active:
        # JSON containment is not on every backend alike; the text of the list is.
        qs = qs.filter(tags__icontains=f'"{active["tag"]}"')
    if "dimension" in active:
        qs = qs.filter(dimension=active["dimension"])
    if "stage" in active:
        qs = qs.filter(stage=active["stage"])
    return qs.annotate(readers=Count("interactions__customer", distinct=True)).order_by(
        "-published", "-id"), active


def all_tags(workspace, limit: int = 200) -> list[str]:
    tags: dict[str, int] = {}
    for row in Item.objects.filter(workspace=workspace).values_list("tags", flat=True)[:5000]:
        for tag in row or []:
            tags[tag] = tags.get(tag, 0) + 1
    return [t for t, _ in sorted(tags.items(), key=lambda kv: (-kv[1], kv[0].lower()))][:limit]


# -- files ----------------------------------------------------------------------------------

def _cell(table, column: str | None, index: int):
    if not column:
        return None
    value = table.column(column)[index].as_py()
    if isinstance(value, str):
        value = value.strip()
    return None if value == "" else value


def parse_time(value) -> dt.datetime | None:
    """An ISO 8601 date or datetime (or epoch seconds) as an aware UTC time; None if blank.
    Raises ValueError when it cannot be read."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    elif isinstance(value, int | float) or re.fullmatch(r"[+-]?\d{9,11}(\.\d+)?", str(value)):
        return dt.datetime.fromtimestamp(float(value), dt.UTC)
    else:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def import_content(workspace, path, *, id_column: str, title_column: str, kind_column: str | None = None,
                   kind: str | None = None, url_column: str | None = None, body_column: str | None = None,
                   summary_column: str | None = None, tags_column: str | None = None,
                   published_column: str | None = None, dimension_column: str | None = None,
                   stage_column: str | None = None, file_name: str | None = None, dry_run: bool = False,
                   progress=None) -> dict:
    """Add or update library items from a file (CSV, JSON lines, Parquet); all land or none.

    An id already in the library updates that item; a repeated id in the file is an error.
    Errors name the file, the row and the column.
    """
    report = progress or (lambda *a, **k: None)
    name = file_name or str(path)
    try:
        table = read_table(path)
    except TabularError as exc:
        raise ValidationError(str(exc)) from None
    if kind_column and kind:
        raise ValidationError("give a kind column or one kind for every row, not both")
    if bool(dimension_column) != bool(stage_column):
        raise ValidationError("targeting needs both a dimension column and a stage column")
    fixed_kind: str | None = kind_of(kind) if kind else "article"
    if fixed_kind is None:
        raise ValidationError(f"unknown kind {kind!r}; kinds are {', '.join(Item.Kind.values)}")
    columns = {"id": id_column, "title": title_column, "kind": kind_column, "url": url_column,
               "body": body_column, "summary": summary_column, "tags": tags_column,
               "published": published_column, "dimension": dimension_column, "stage": stage_column}
    for column in filter(None, columns.values()):
        if column not in table.column_names:
            available = ", ".join(f'"{c}"' for c in table.column_names)
            raise ValidationError(f'{name}: no column "{column}"; available columns: {available}')
        try:
            require_plain(table, column, name)
        except TabularError as exc:
            raise ValidationError(str(exc)) from None
    label, first = row_position(table)
    model = current_model(workspace) if dimension_column else None
    report(0, total=table.num_rows, message="checking rows")
    rows: dict[str, dict] = {}
    for i in range(table.num_rows):
        def where(column: str | None, i: int = i) -> str:
            return f'{name}, {label} {first + i}, column "{column}"'

        external = _cell(table, id_column, i)
        if external is None:
            raise ValidationError(f"{where(id_column)}: the id is missing")
        external = str(external)[:300]
        if external in rows:
            raise ValidationError(f"{where(id_column)}: the id {external!r} appears twice in the file")
        title = _cell(table, title_column, i)
        if title is None:
            raise ValidationError(f"{where(title_column)}: the title is missing")
        row_kind: str | None = fixed_kind
        if kind_column:
            raw = _cell(table, kind_column, i)
            row_kind = kind_of(raw) if raw is not None else "article"
            if row_kind is None:
                raise ValidationError(f"{where(kind_column)}: unknown kind {raw!r}; kinds are "
                                      + ", ".join(text for _, text in Item.Kind.choices))
        try:
            url = check_url(_cell(table, url_column, i) or "")
        except ValidationError as exc:
            raise ValidationError(f"{where(url_column)}: {exc.messages[0]}") from None
        try:
            published = parse_time(_cell(table, published_column, i))
        except (ValueError, OverflowError, OSError):
            raise ValidationError(f"{where(published_column)}: cannot read "
                                  f"{_cell(table, published_column, i)!r} as a date or time "
                                  "(expected ISO 8601 such as 2024-03-01)") from None
        targeting = ("", "", "")
        if dimension_column:
            raw_dim = _cell(table, dimension_column, i) or ""
            try:
                targeting = resolve_targeting(model, str(raw_dim), str(_cell(table, stage_column, i) or ""))
            except ValidationError as exc:
                column = (dimension_column if "dimension" in exc.messages[0] or not raw_dim
                          else stage_column) or ""
                raise ValidationError(f"{where(column)}: {exc.messages[0]}") from None
        rows[external] = {
            "kind": row_kind, "title": str(title)[:300], "url": url,
            "body": str(_cell(table, body_column, i) or ""),
            "summary": str(_cell(table, summary_column, i) or ""),
            "tags": split_tags(_cell(table, tags_column, i)), "published": published,
            "dimension": targeting[0], "stage": targeting[1], "toward": targeting[2],
        }
    existing = {}
    ids = list(rows)
    for start in range(0, len(ids), 900):
        existing.update({i.external_id: i for i in
                         Item.objects.filter(workspace=workspace, external_id__in=ids[start:start + 900])})
    result = {"rows": table.num_rows, "added": len(rows) - len(existing), "updated": len(existing)}
    if dry_run:
        return result
    report(0, message="saving items")
    with transaction.atomic():
        fresh = [Item(workspace=workspace, external_id=k, source="import", **v)
                 for k, v in rows.items() if k not in existing]
        Item.objects.bulk_create(fresh, batch_size=500)
        changed = []
        for key, item in existing.items():
            for field, value in rows[key].items():
                if field in ("dimension", "stage", "toward") and not dimension_column:
                    continue
                if field in ("url", "body", "summary", "tags", "published") and not columns[field]:
                    continue
                setattr(item, field, value)
            changed.append(item)
        Item.objects.bulk_update(changed, ["kind", "title", "url", "body", "summary", "tags", "published",
                                           "dimension", "stage", "toward"], batch_size=500)
    report(table.num_rows, total=table.num_rows, message="done")
    return result


def import_content_job(job, progress, path, **options) -> dict:
    return import_content(job.workspace, path, progress=progress, **options)
