"""Items from an RSS or Atom feed (a file or a URL), parsed by feedparser.

An entry's id (else its link) is the item's id, so syncing the same feed again updates the
items it made and adds only the new entries. Summaries keep their text, not their HTML.
"""

from __future__ import annotations

import calendar
import datetime as dt
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import feedparser
import nh3
from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import Item
from .content import kind_of, split_tags

MAX_BYTES = 10 * 1024 * 1024
TIMEOUT_S = 20


def _read(source: str) -> bytes:
    if urlparse(source).scheme in ("http", "https"):
        request = urllib.request.Request(source, headers={"User-Agent": "Becoming feed sync"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310 (http/https only)
                data = response.read(MAX_BYTES + 1)
        except OSError as exc:
            raise ValidationError(f"{source}: cannot fetch the feed ({exc})") from None
    else:
        path = Path(source)
        if not path.is_file():
            raise ValidationError(f"{source}: no such file")
        data = path.read_bytes()[:MAX_BYTES + 1]
    if len(data) > MAX_BYTES:
        raise ValidationError(f"{source}: larger than {MAX_BYTES // (1024 * 1024)} MB, not a feed")
    return data


def _text(html: str) -> str:
    return " ".join(nh3.clean(html or "", tags=set()).split())[:5000]


def sync_feed(workspace, source: str, kind: str = "article", progress=None) -> dict:
    """Add or update an item for every entry of the feed; all land or none."""
    fixed = kind_of(kind)
    if fixed is None:
        raise ValidationError(f"kind: unknown kind {kind!r}")
    parsed = feedparser.parse(_read(source))
    if not parsed.get("version") or not parsed.get("feed") and not parsed.entries:
        raise ValidationError(f"{source}: not an RSS or Atom feed")
    rows: dict[str, dict] = {}
    for n, entry in enumerate(parsed.entries, 1):
        key = str(entry.get("id") or entry.get("link") or "").strip()[:300]
        title = _text(entry.get("title", ""))
        if not key:
            raise ValidationError(f"{source}, entry {n}: no id and no link")
        if not title:
            raise ValidationError(f"{source}, entry {n}: the title is missing")
        moment = entry.get("published_parsed") or entry.get("updated_parsed")
        link = str(entry.get("link") or "")
        rows[key] = {
            "title": title[:300], "summary": _text(entry.get("summary", "")),
            "url": link if urlparse(link).scheme in ("http", "https") else "",
            "tags": split_tags([t.get("term", "") for t in entry.get("tags", [])]),
            "published": dt.datetime.fromtimestamp(calendar.timegm(moment), dt.UTC) if moment else None,
        }
    existing = {i.external_id: i for i in Item.objects.filter(workspace=workspace, external_id__in=list(rows))}
    with transaction.atomic():
        Item.objects.bulk_create([Item(workspace=workspace, external_id=k, kind=fixed, source="feed", **v)
                                  for k, v in rows.items() if k not in existing])
        for key, item in existing.items():
            for field, value in rows[key].items():
                setattr(item, field, value)
        Item.objects.bulk_update(list(existing.values()), ["title", "summary", "url", "tags", "published"])
    return {"entries": len(rows), "added": len(rows) - len(existing), "updated": len(existing),
            "feed": _text(parsed.feed.get("title", ""))}
