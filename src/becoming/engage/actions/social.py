"""Social listening: public posts and comments imported from the export files of social tools,
linked to customers where we can tell who wrote them, scored for sentiment, and themed with
the rest of the feedback (channel ``social``). Unlinked posts are kept as market voice.

Linking, first rule that applies wins:

1. the mapping file (``--link-file``: columns ``handle`` and ``customer_id``, optionally
   ``contact_email``), a handle to a customer's external id;
2. a handle a customer already carries: an attribute whose name ends in ``handle``
   (``handle``, ``twitter_handle``...), compared without case and without a leading ``@``;
3. an author that is an email address: the contact with that address, else the customer
   whose contacts alone use that address's domain (a domain shared by several customers,
   such as a free mail provider, links nothing).

A linked post also becomes the customer's signal ``engage.social_post`` (id ``social-<pk>``),
written after the posts commit, so sending it again is a no-op.
"""

import re
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from becoming.customers.models import Contact, Customer
from becoming.signals.actions import ingest_batch
from becoming.tabular.read import TabularError, read_table, require_plain, row_position

from ..models import Feedback, SocialPost
from .feedback import _fresh, _times, check_feedback, save_feedback

SIGNAL_TYPE = "engage.social_post"
EMAIL = re.compile(r"^[^@\s]+@([^@\s]+\.[^@\s]+)$")

_analyzer = None


def sentiment(text: str) -> float:
    """VADER's compound score of a text, -1 (most negative) to 1 (most positive)."""
    global _analyzer
    if _analyzer is None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        _analyzer = SentimentIntensityAnalyzer()
    return round(float(_analyzer.polarity_scores(text or "")["compound"]), 4)


def normalise_handle(handle: str | None) -> str:
    return str(handle or "").strip().lstrip("@").lower()


class Linker:
    """Who wrote a post: (customer id, contact or None, rule) or (None, None, "")."""

    def __init__(self, workspace, mapping: dict[str, tuple[int, Contact | None]]):
        self.mapping = mapping
        self.handles: dict[str, int] = {}
        for pk, attributes in Customer.objects.filter(workspace=workspace).values_list("pk", "attributes"):
            for key, value in (attributes or {}).items():
                if str(key).lower().endswith("handle") and normalise_handle(value):
                    self.handles[normalise_handle(value)] = pk
        self.emails: dict[str, Contact] = {}
        domains: dict[str, set[int]] = {}
        for contact in Contact.objects.filter(workspace=workspace).exclude(email=""):
            email = contact.email.strip().lower()
            self.emails[email] = contact
            domains.setdefault(email.rsplit("@", 1)[-1], set()).add(contact.customer_id)
        self.domains = {d: next(iter(c)) for d, c in domains.items() if len(c) == 1}

    def link(self, author: str | None) -> tuple[int | None, Contact | None, str]:
        handle = normalise_handle(author)
        if not handle:
            return None, None, SocialPost.Link.NONE
        if handle in self.mapping:
            customer, contact = self.mapping[handle]
            return customer, contact, SocialPost.Link.MAPPING
        if handle in self.handles:
            return self.handles[handle], None, SocialPost.Link.HANDLE
        match = EMAIL.match(handle)
        if match:
            if handle in self.emails:
                contact = self.emails[handle]
                return contact.customer_id, contact, SocialPost.Link.EMAIL_DOMAIN
            if match.group(1) in self.domains:
                return self.domains[match.group(1)], None, SocialPost.Link.EMAIL_DOMAIN
        return None, None, SocialPost.Link.NONE


def read_link_file(workspace, path) -> dict[str, tuple[int, Contact | None]]:
    """The mapping file: handle -> (customer pk, contact). Errors name the file, row, column."""
    name = Path(path).name
    try:
        table = read_table(path)
    except TabularError as exc:
        raise ValidationError(str(exc)) from None
    for column in ("handle", "customer_id"):
        if column not in table.column_names:
            raise ValidationError(f"{name}: the link file needs a column {column!r}; "
                                  f"columns are: {', '.join(table.column_names)}")
    label, first = row_position(table)
    handles = table.column("handle").cast("string").to_pylist()
    customers = table.column("customer_id").cast("string").to_pylist()
    emails = (table.column("contact_email").cast("string").to_pylist() if "contact_email" in table.column_names
              else [None] * table.num_rows)
    return _link_rows(workspace, lambda n: f"{name}, {label} {first + n}", handles, customers, emails)


def read_link_text(workspace, text: str) -> dict[str, tuple[int, Contact | None]]:
    """Links typed on the imports page, one per line: ``handle, customer id[, contact email]``."""
    import csv

    rows = [row for row in csv.reader(line for line in (text or "").splitlines()) if any(c.strip() for c in row)]
    lines = [n + 1 for n, line in enumerate((text or "").splitlines()) if line.strip()]
    for row, line in zip(rows, lines):
        if len(row) not in (2, 3):
            raise ValidationError(f"links, line {line}: write handle, customer id[, contact email]")
    cells = [[c.strip() for c in row] + [""] * (3 - len(row)) for row in rows]
    return _link_rows(workspace, lambda n: f"links, line {lines[n]}", [c[0] for c in cells], [c[1] for c in cells],
                      [c[2] or None for c in cells], columns=("handle", "customer id", "contact email"))


def _link_rows(workspace, at, handles, customers, emails,
               columns=("handle", "customer_id", "contact_email")) -> dict[str, tuple[int, Contact | None]]:
    """handle -> (customer pk, contact), each row checked; ``at(index)`` says where a row is."""
    known = dict(Customer.objects.filter(workspace=workspace, external_id__in={c for c in customers if c})
                 .values_list("external_id", "pk"))
    mapping: dict[str, tuple[int, Contact | None]] = {}
    for n, (handle, customer, email) in enumerate(zip(handles, customers, emails)):
        where = at(n)
        if not normalise_handle(handle):
            raise ValidationError(f'{where}, column "{columns[0]}": the handle is empty')
        if not customer or customer not in known:
            raise ValidationError(f'{where}, column "{columns[1]}": unknown customer {customer!r}')
        contact = None
        if email:
            contact = Contact.objects.filter(workspace=workspace, customer_id=known[customer],
                                             email__iexact=email.strip()).first()
            if contact is None:
                raise ValidationError(f'{where}, column "{columns[2]}": no contact {email!r} '
                                      f"at customer {customer!r}")
        mapping[normalise_handle(handle)] = (known[customer], contact)
    return mapping


def import_social(workspace, path, *, text_column, author_column=None, url_column=None, time_column=None,
                  platform_column=None, platform=None, id_column=None, link_file=None, links=None,
                  file_name=None, progress=None, dry_run=False) -> dict:
    """Check every row, then store every post (feedback on channel social, themed, with its
    sentiment and link) or none; then the linked posts' signals.

    A post's id is its ``id_column`` value, else ``<file name>#<row>``: two identical rows
    are two posts, and importing the same file again adds nothing.
    """
    report = progress or (lambda *a, **k: None)
    file_name = file_name or Path(path).name
    if platform_column and platform:
        raise ValidationError("give the platform as a column or as a name, not both")
    try:
        table = read_table(path)
    except TabularError as exc:
        raise ValidationError(str(exc)) from None
    columns = {"text": text_column, "author": author_column, "url": url_column, "time": time_column,
               "platform": platform_column, "id": id_column}
    for field, column in columns.items():
        if column and column not in table.column_names:
            raise ValidationError(f"{file_name}: no column {column!r} for the post's {field}; "
                                  f"columns are: {', '.join(table.column_names)}")
        if column:
            try:
                require_plain(table, column, file_name)
            except TabularError as exc:
                raise ValidationError(str(exc)) from None
    label, first = row_position(table)

    def where(index, field):
        return f'{file_name}, {label} {first + index}, column "{columns.get(field) or field}"'

    def values(column):
        return table.column(column).cast("string").to_pylist() if column else [None] * table.num_rows

    ids = values(id_column) if id_column else [f"{file_name}#{first + i}" for i in range(table.num_rows)]
    if id_column:
        for n, value in enumerate(ids):
            if not str(value or "").strip():
                raise ValidationError(f"{where(n, 'id')}: the id is empty")
    mapping = read_link_file(workspace, link_file) if link_file else {}
    if links:  # typed on the imports page
        mapping.update(read_link_text(workspace, links))
    linker = Linker(workspace, mapping)
    authors, urls = values(author_column), values(url_column)
    platforms = values(platform_column) if platform_column else [platform or ""] * table.num_rows
    items, meta = [], []
    for n, (text, author, time, id_) in enumerate(zip(values(text_column), authors,
                                                       _times(file_name, table, time_column), ids)):
        customer, contact, rule = linker.link(author)
        items.append({"text": text, "time": time, "id": id_, "channel": Feedback.Channel.SOCIAL,
                      "customer": Customer(pk=customer, workspace=workspace) if customer else None,
                      "contact": contact})
        meta.append({"author": str(author or "").strip()[:200], "url": str(urls[n] or "").strip()[:1000],
                     "platform": str(platforms[n] or "").strip()[:50], "linked_by": rule})
    report(0, total=len(items), message="reading posts")
    return _store(workspace, items, meta, where, report, dry_run)


def _store(workspace, items: list[dict], meta: list[dict], where, report, dry_run=False) -> dict:
    """Check every post (feedback items with their social ``meta``), then store the new ones
    with their sentiment, or none; then the linked posts' signals."""
    checked = check_feedback(workspace, items, where)
    fresh = _fresh(workspace, checked)
    linked = sum(1 for f in fresh if f.customer_id)
    summary = {"rows": len(checked), "added": len(fresh), "skipped": len(checked) - len(fresh),
               "linked": linked, "market_voice": len(fresh) - linked}
    if dry_run:
        return summary
    info = {id(item): m for item, m in zip(checked, meta)}
    with transaction.atomic():
        save_feedback(workspace, fresh, report)
        SocialPost.objects.bulk_create([
            SocialPost(workspace=workspace, feedback=f, sentiment=sentiment(f.text), **info[id(f)])
            for f in fresh])
    send_social_signals(workspace, [f.pk for f in fresh if f.customer_id])
    return summary


def add_posts(workspace, posts: list[dict], links: list[dict] | None = None) -> dict:
    """Posts sent through the API (dicts of text, author, url, time, platform, id), checked,
    linked and stored as a file's rows are; errors name ``posts[<index>].<field>``. A post
    without an id is always new; one whose id is stored already is skipped. ``links`` (dicts
    of handle, customer_id, contact_email) are the mapping file's rows."""
    links = links or []
    mapping = _link_rows(workspace, lambda n: f"links[{n}]", [x.get("handle") for x in links],
                         [x.get("customer_id") for x in links], [x.get("contact_email") for x in links])
    linker = Linker(workspace, mapping)
    items, meta = [], []
    for post in posts:
        customer, contact, rule = linker.link(post.get("author"))
        items.append({"text": post.get("text"), "time": post.get("time"), "id": post.get("id") or "",
                      "channel": Feedback.Channel.SOCIAL, "contact": contact,
                      "customer": Customer(pk=customer, workspace=workspace) if customer else None})
        meta.append({"author": str(post.get("author") or "").strip()[:200],
                     "url": str(post.get("url") or "").strip()[:1000],
                     "platform": str(post.get("platform") or "").strip()[:50], "linked_by": rule})
    return _store(workspace, items, meta, lambda index, field: f"posts[{index}].{field}", lambda *a, **k: None)


def list_posts(workspace, *, platform: str = "", linked: bool | None = None):
    """Social posts newest first, of one platform, and linked to a customer or not (market voice)."""
    qs = (SocialPost.objects.filter(workspace=workspace)
          .select_related("feedback__customer", "feedback__theme").order_by("-feedback__time", "-pk"))
    if platform:
        qs = qs.filter(platform__iexact=platform)
    if linked is not None:
        qs = qs.filter(feedback__customer__isnull=not linked)
    return qs


def send_social_signals(workspace, feedback_ids=None) -> int:
    """Append the signal of every linked post (of ``feedback_ids``, else all) that the store
    lacks; return how many were added."""
    posts = SocialPost.objects.filter(workspace=workspace, feedback__customer__isnull=False)
    if feedback_ids is not None:
        posts = posts.filter(feedback_id__in=list(feedback_ids))
    events = [{"customer_id": external, "kind": "event", "type": SIGNAL_TYPE, "time": time,
               "id": f"social-{pk}"}
              for pk, external, time in posts.values_list("feedback_id", "feedback__customer__external_id",
                                                          "feedback__time")]
    return ingest_batch(workspace, events)["added"] if events else 0


def import_social_job(job, progress, path, **options):
    return import_social(job.workspace, path, progress=progress, **options)


# -- RSS and Atom feeds ---------------------------------------------------------------------------

def _plain(html_text: str) -> str:
    import html

    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", html_text or "")).split())


def read_feed(url: str) -> list[dict]:
    """The entries of an RSS or Atom feed (feedparser) as posts: id, author, text, url, time,
    platform (the feed's title). A page that is not a feed is a ValidationError."""
    import datetime as dt

    import feedparser

    parsed = feedparser.parse(url)
    status = getattr(parsed, "status", 200)
    if status >= 400:
        raise ValidationError(f"{url}: the server answered {status}")
    if not parsed.version:
        reason = getattr(parsed, "bozo_exception", None)
        raise ValidationError(f"{url}: not an RSS or Atom feed" + (f" ({reason})" if reason else ""))
    platform = _plain(parsed.feed.get("title", ""))[:50]
    posts = []
    for n, entry in enumerate(parsed.entries, start=1):
        text = " — ".join(p for p in (_plain(entry.get("title", "")), _plain(entry.get("summary", ""))) if p)
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        posts.append({"id": entry.get("id") or entry.get("link") or f"{url}#{n}",
                      "author": entry.get("author", ""), "text": text, "url": entry.get("link", ""),
                      "time": dt.datetime(*stamp[:6]).isoformat() if stamp else None, "platform": platform})
    return posts


def import_feed(workspace, url: str, *, platform=None, link_file=None, progress=None) -> dict:
    """Import an RSS or Atom feed's entries as social posts (same checks, links and ids as a
    file: an entry's id is the feed's own, so reading the feed again adds only new entries)."""
    import json
    import tempfile

    posts = read_feed(url)
    if not posts:
        return {"rows": 0, "added": 0, "skipped": 0, "linked": 0, "market_voice": 0}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "feed.jsonl"
        path.write_text("".join(json.dumps({**p, "platform": platform or p["platform"]}) + "\n" for p in posts),
                        encoding="utf-8")
        return import_social(workspace, path, text_column="text", author_column="author", url_column="url",
                             time_column="time" if any(p["time"] for p in posts) else None,
                             platform_column="platform", id_column="id", link_file=link_file, file_name=url,
                             progress=progress)
