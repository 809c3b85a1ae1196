"""Newsletters and digests: compose, preview, send over SMTP, and what readers do with them.

Sending. Every recipient has a Delivery row, created before anything is sent. A sender
claims rows (pending → claimed, one conditional UPDATE for a batch of CLAIM_BATCH) before
handing their messages to SMTP, and marks them sent after. So a send that crashes and is resumed never mails anyone twice: rows
still ``claimed`` from the crashed run may or may not have gone out, and are marked failed
("interrupted") rather than sent again. Unsubscribed and bounced addresses (Suppression) are
skipped; an address the server refuses is suppressed as bounced. Sending is paced at
``INFORM_SEND_RATE`` messages per second (0: as fast as the server takes them).

Tracking. Links in a message are signed (``django.core.signing``) and name a delivery and an
item, never an address: the redirect goes to the item's own URL from the database, so a
link cannot be turned into an open redirect, and a forged one answers 400 and records
nothing. Opens (a pixel) are ``inform.view`` of the issue's own newsletter item, clicks
``inform.click`` of the item, each once per delivery (keyed, so a repeat is a no-op).
"""

from __future__ import annotations

import datetime as dt
import smtplib
import time

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone

from becoming.customers.models import Contact

from ..models import Delivery, Issue, Item, Suppression
from . import interactions

CLICK_SALT = "inform.click"
OPEN_SALT = "inform.open"
UNSUBSCRIBE_SALT = "inform.unsubscribe"
MAX_ITEMS = 20
# Deliveries claimed with one UPDATE: a crash leaves at most this many "claimed" rows, which
# are never sent again (they may have gone out).
CLAIM_BATCH = 25


# -- composing ------------------------------------------------------------------------------

def compose(workspace, *, kind: str, subject: str, intro: str = "", items=(), count: int = 5,
            dimension: str = "", stage: str = "", user=None, issue: Issue | None = None) -> Issue:
    """A newsletter (``items`` chosen, the same for everyone) or a digest (each reader's top
    ``count`` items); optionally only for contacts at ``stage`` on ``dimension``."""
    if kind not in Issue.Kind.values:
        raise ValidationError(f"kind: one of {', '.join(Issue.Kind.values)}")
    subject = (subject or "").strip()
    if not subject:
        raise ValidationError("subject: a newsletter needs a subject")
    if not 1 <= int(count) <= MAX_ITEMS:
        raise ValidationError(f"count: between 1 and {MAX_ITEMS} items per reader")
    chosen: list[Item] = list(Item.objects.filter(workspace=workspace, pk__in=[int(i) for i in items]))
    if kind == Issue.Kind.NEWSLETTER and not chosen:
        raise ValidationError("items: choose at least one item for a newsletter")
    if dimension or stage:
        from .content import current_model, resolve_targeting

        dimension, stage, _ = resolve_targeting(current_model(workspace), dimension, stage)
    if issue is not None and issue.status != Issue.Status.DRAFT:
        raise ValidationError("this issue has been sent; compose a new one")
    with transaction.atomic():
        issue = issue or Issue(workspace=workspace, created_by=user)
        issue.kind, issue.subject, issue.intro, issue.count = kind, subject[:200], intro, int(count)
        issue.dimension, issue.stage = dimension, stage
        issue.save()
        order = {int(i): n for n, i in enumerate(items)}
        ordered = sorted(chosen, key=lambda item: order.get(item.pk, 0))
        issue.items.set(ordered)
    return issue


def recipients(issue: Issue):
    """Contacts with an email (at the issue's stage, when it has one), not suppressed."""
    qs = Contact.objects.filter(workspace=issue.workspace).exclude(email="").select_related("customer")
    if issue.dimension and issue.stage:
        from .content import current_model

        model = current_model(issue.workspace)
        dim = next((d for d in model.dimensions if d.key == issue.dimension), None) if model else None
        if dim is not None:
            index = [s.key for s in dim.stages].index(issue.stage)
            qs = qs.filter(**{f"customer__stages__{issue.dimension}": index})
    suppressed = Suppression.objects.filter(workspace=issue.workspace).values_list("email", flat=True)
    return qs.exclude(email__in=suppressed).order_by("pk")


def _digest_items(issue: Issue, customer_pks: set[int] | None = None) -> dict[int, list[int]]:
    """Each customer's top items (item pks), from one run of the recommender."""
    from .recommend import recommend

    table = recommend(issue.workspace, "customers", issue.count)
    by_external = dict(Item.objects.filter(workspace=issue.workspace).values_list("external_id", "pk"))
    customers = dict(issue.workspace.customers.values_list("external_id", "pk"))
    out: dict[int, list[int]] = {}
    for reader, item in zip(table.column("reader_id").to_pylist(), table.column("item_id").to_pylist(),
                            strict=True):
        out.setdefault(customers[reader], []).append(by_external[item])
    return out


def preview(issue: Issue, contact: Contact, base_url: str = "http://localhost") -> dict:
    """What ``contact`` would receive: subject, html, text (links signed but not recorded)."""
    if contact.workspace_id != issue.workspace_id:
        raise ValidationError("contact: not in this workspace")
    if issue.kind == Issue.Kind.NEWSLETTER:
        item_pks = [i.pk for i in issue.items.all()]
    else:  # this reader's own top items (the recommender on one reader: fast on any list)
        from .recommend import for_customer

        item_pks = [r["item"].pk for r in for_customer(issue.workspace, contact.customer, issue.count)]
    delivery = Delivery(pk=0, issue=issue, contact=contact, email=contact.email, items=item_pks)
    return render_message(issue, delivery, base_url, preview=True)


# -- tokens ---------------------------------------------------------------------------------

def click_token(delivery: Delivery, item_pk: int) -> str:
    return signing.dumps({"d": delivery.pk, "i": item_pk}, salt=CLICK_SALT, compress=True)


def open_token(delivery: Delivery) -> str:
    return signing.dumps({"d": delivery.pk}, salt=OPEN_SALT, compress=True)


def unsubscribe_token(workspace, email: str) -> str:
    return signing.dumps({"w": workspace.pk, "e": email.lower()}, salt=UNSUBSCRIBE_SALT, compress=True)


def render_message(issue: Issue, delivery: Delivery, base_url: str, items: dict | None = None,
                   preview: bool = False) -> dict:
    """Subject, HTML, text and the unsubscribe link of one delivery; a preview has no open
    pixel and adds ``body``, the HTML's inner part for a page."""
    base = base_url.rstrip("/")
    found = items if items is not None else Item.objects.in_bulk(delivery.items)
    entries = []
    for pk in delivery.items:
        item = found.get(pk)
        if item is None:
            continue
        entries.append({"item": item, "link": f"{base}/r/{click_token(delivery, pk)}/"})
    unsubscribe = f"{base}/u/{issue.workspace.slug}/{unsubscribe_token(issue.workspace, delivery.email)}/"
    context = {"issue": issue, "contact": delivery.contact, "entries": entries, "unsubscribe": unsubscribe,
               "pixel": f"{base}/o/{open_token(delivery)}.gif", "workspace": issue.workspace}
    if preview:
        context["pixel"] = ""
    out = {"subject": issue.subject, "html": render_to_string("inform/email/issue.html", context),
           "text": render_to_string("inform/email/issue.txt", context), "unsubscribe": unsubscribe}
    if preview:
        out["body"] = render_to_string("inform/email/_body.html", context)
    return out


# -- sending --------------------------------------------------------------------------------

def prepare(issue: Issue) -> int:
    """Create the delivery rows (once; a resumed send keeps them); returns how many are new."""
    if issue.status == Issue.Status.SENT:
        raise ValidationError("this issue has been sent")
    chosen = [i.pk for i in issue.items.all()]
    known = set(issue.deliveries.values_list("contact_id", flat=True))
    todo = [c for c in recipients(issue).only("pk", "email", "customer_id") if c.pk not in known]
    if not todo and issue.status == Issue.Status.SENDING:
        return 0
    digest = _digest_items(issue) if issue.kind == Issue.Kind.DIGEST and todo else {}
    rows = []
    for contact in todo:
        picks = chosen if issue.kind == Issue.Kind.NEWSLETTER else digest.get(contact.customer_id, [])
        if picks:
            rows.append(Delivery(issue=issue, contact_id=contact.pk, email=contact.email, items=picks))
    with transaction.atomic():
        Delivery.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENDING)
        _newsletter_item(issue)
    return len(rows)


def _newsletter_item(issue: Issue) -> Item:
    """The issue as an item of the library (kind newsletter), so opens are readings of it."""
    item, _ = Item.objects.get_or_create(
        workspace=issue.workspace, external_id=f"issue-{issue.pk}",
        defaults={"kind": Item.Kind.NEWSLETTER, "title": issue.subject, "summary": issue.intro,
                  "published": timezone.now(), "source": "app"})
    return item


def send(issue: Issue, base_url: str, *, progress=None, connection=None, rate: float | None = None) -> dict:
    """Prepare the deliveries and send every pending one; see the module docstring."""
    report = progress or (lambda *a, **k: None)
    issue.refresh_from_db()
    if issue.status == Issue.Status.SENT:  # sent already: a repeated job sends nothing
        return {"sent": 0, "failed": 0, "skipped": 0, "interrupted": 0, "total": issue.deliveries.count()}
    prepare(issue)
    # Rows a crashed run claimed may have gone out: never send them again.
    interrupted = issue.deliveries.filter(status=Delivery.Status.CLAIMED).update(
        status=Delivery.Status.FAILED, error="interrupted while sending; not sent again to avoid a double send")
    rate = float(getattr(settings, "INFORM_SEND_RATE", 100) if rate is None else rate)
    suppressed = set(Suppression.objects.filter(workspace=issue.workspace).values_list("email", flat=True))
    pending = list(issue.deliveries.filter(status=Delivery.Status.PENDING).select_related("contact")
                   .order_by("pk"))
    total = issue.deliveries.count()
    done = total - len(pending)
    report(done, total=total, message="sending")
    items = Item.objects.in_bulk({pk for d in pending for pk in d.items})
    connection = connection or get_connection()
    calendars = _calendars(pending, items)
    sent = failed = skipped = 0
    started = time.monotonic()
    connection.open()
    try:
        for first in range(0, len(pending), CLAIM_BATCH):
            batch = [d for d in pending[first:first + CLAIM_BATCH]]
            quiet = [d.pk for d in batch if d.email.lower() in suppressed]
            if quiet:
                Delivery.objects.filter(pk__in=quiet).update(status=Delivery.Status.SKIPPED)
                skipped += len(quiet)
            # Claim the batch (one UPDATE); only rows still pending are ours.
            wanted = [d.pk for d in batch if d.pk not in quiet]
            with transaction.atomic():
                ours = set(Delivery.objects.filter(pk__in=wanted, status=Delivery.Status.PENDING)
                           .select_for_update().values_list("pk", flat=True))
                Delivery.objects.filter(pk__in=ours).update(status=Delivery.Status.CLAIMED)
            delivered = []
            for delivery in batch:
                if delivery.pk not in ours:
                    continue
                rendered = render_message(issue, delivery, base_url, items)
                message = EmailMultiAlternatives(
                    rendered["subject"], rendered["text"], settings.DEFAULT_FROM_EMAIL, [delivery.email],
                    connection=connection,
                    headers={"List-Unsubscribe": f"<{rendered['unsubscribe']}>",
                             "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
                message.attach_alternative(rendered["html"], "text/html")
                for name, data in calendars.get(tuple(delivery.items), []):
                    message.attach(name, data, "text/calendar")
                try:
                    message.send()
                except smtplib.SMTPRecipientsRefused as exc:
                    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.FAILED,
                                                                   error=str(exc)[:500])
                    Suppression.objects.get_or_create(workspace=issue.workspace, email=delivery.email.lower(),
                                                      defaults={"reason": Suppression.Reason.BOUNCED})
                    failed += 1
                    continue
                delivered.append(delivery.pk)
                sent += 1
                done += 1
                if rate > 0:
                    ahead = (sent / rate) - (time.monotonic() - started)
                    if ahead > 0:
                        time.sleep(ahead)
            Delivery.objects.filter(pk__in=delivered).update(status=Delivery.Status.SENT, sent=timezone.now())
            report(done, message="sending")
    finally:
        connection.close()
    if not issue.deliveries.filter(status=Delivery.Status.PENDING).exists():
        Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENT, sent=timezone.now())
    report(total, total=total, message="done")
    return {"sent": sent, "failed": failed, "skipped": skipped, "interrupted": interrupted, "total": total}


def _calendars(deliveries, items: dict) -> dict[tuple, list[tuple[str, bytes]]]:
    """An .ics file for each upcoming webinar or event a message carries (an invitation)."""
    from .events import EVENT_KINDS, ics

    now = timezone.now()
    out: dict[tuple, list[tuple[str, bytes]]] = {}
    for delivery in deliveries:
        key = tuple(delivery.items)
        if key in out:
            continue
        out[key] = [(f"event-{pk}.ics", ics(items[pk])) for pk in key
                    if pk in items and items[pk].kind in EVENT_KINDS and items[pk].starts
                    and items[pk].starts > now]
    return out


def send_issue_job(job, progress, issue_id: int, base_url: str) -> dict:
    issue = Issue.objects.filter(workspace=job.workspace, pk=issue_id).first()
    if issue is None:
        raise ValidationError(f"issue {issue_id}: no such issue")
    return send(issue, base_url, progress=progress)


def start_send(issue: Issue, base_url: str, user=None):
    """Queue the send as a job; returns the job."""
    from becoming.jobs.actions import enqueue

    if issue.status == Issue.Status.SENT:
        raise ValidationError("this issue has been sent")
    return enqueue(issue.workspace, "inform_send", {"issue_id": issue.pk, "base_url": base_url}, user)


# -- what readers do ------------------------------------------------------------------------

class BadLink(Exception):
    """A tracking link whose signature does not hold: answered 400, nothing recorded."""


def follow_click(token: str) -> str:
    """Record a click (once per delivery and item) and return where to send the reader."""
    try:
        data = signing.loads(token, salt=CLICK_SALT)
        delivery_pk, item_pk = int(data["d"]), int(data["i"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise BadLink from None
    delivery = Delivery.objects.select_related("issue__workspace", "contact__customer").filter(pk=delivery_pk).first()
    if delivery is None or item_pk not in delivery.items:
        raise BadLink
    item = Item.objects.get(pk=item_pk, workspace=delivery.issue.workspace)
    if delivery.clicked is None:
        Delivery.objects.filter(pk=delivery.pk).update(clicked=timezone.now())
    if delivery.opened is None:  # a click proves the message was opened (images may be off)
        Delivery.objects.filter(pk=delivery.pk).update(opened=timezone.now())
    interactions.record(delivery.issue.workspace, item, delivery.contact.customer, "click",
                        contact=delivery.contact, key=f"email-click-{delivery.pk}-{item.pk}", source="email")
    return item.url or f"/read/{token}/"


def record_open(token: str) -> bool:
    try:
        delivery_pk = int(signing.loads(token, salt=OPEN_SALT)["d"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return False
    delivery = Delivery.objects.select_related("issue__workspace", "contact__customer").filter(pk=delivery_pk).first()
    if delivery is None:
        return False
    if delivery.opened is None:
        Delivery.objects.filter(pk=delivery.pk).update(opened=timezone.now())
    item = _newsletter_item(delivery.issue)
    interactions.record(delivery.issue.workspace, item, delivery.contact.customer, "view",
                        contact=delivery.contact, key=f"email-open-{delivery.pk}", source="email")
    return True


def read_item(token: str) -> Item:
    """The item behind a click link without a URL of its own (its body, on our site)."""
    try:
        data = signing.loads(token, salt=CLICK_SALT)
        item_pk = int(data["i"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise BadLink from None
    item = Item.objects.filter(pk=item_pk).first()
    if item is None:
        raise BadLink
    return item


def unsubscribe_address(workspace, token: str) -> str:
    """The address a token unsubscribes, for ``workspace``; Http404 for another workspace's
    token or a forged one."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise Http404("no such link") from None
    if data.get("w") != workspace.pk or not data.get("e"):
        raise Http404("no such link")
    return str(data["e"])


def unsubscribe(workspace, token: str) -> str:
    email = unsubscribe_address(workspace, token)
    Suppression.objects.get_or_create(workspace=workspace, email=email,
                                      defaults={"reason": Suppression.Reason.UNSUBSCRIBED})
    return email


def issue_stats(workspace):
    """Every issue with its counts: recipients, sent, opened, clicked, failed."""
    return (Issue.objects.filter(workspace=workspace)
            .annotate(recipients=Count("deliveries"),
                      delivered=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.SENT)),
                      opened=Count("deliveries", filter=Q(deliveries__opened__isnull=False)),
                      clicked=Count("deliveries", filter=Q(deliveries__clicked__isnull=False)),
                      failed=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED)))
            .order_by("-created", "-id"))


def get_issue(workspace, pk) -> Issue:
    issue = Issue.objects.filter(workspace=workspace, pk=pk).first()
    if issue is None:
        raise Http404("no such issue")
    return issue


def since(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)
