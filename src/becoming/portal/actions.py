"""The customer portal's rules: magic links, invitations, what a contact sees, and the signals
every portal action leaves.

Magic links. A link carries a signed token naming one ``MagicLink`` row; the row holds its
expiry and whether it was used, so a link works once, until it expires, and a forged or
altered token fails the signature. Asking for a link is rate-limited per email and per
client address, and the answer never says whether the email belongs to a contact.

Signals. Each portal action of a contact is a signal of their customer (``portal.visit``,
``portal.goal_accepted``, ``portal.self_assessment``, ...), written through
``becoming.signals.actions.ingest_batch`` with an id, so a repeat is a no-op. They are
written after the database change they describe: a crash in between leaves the change
without its signal, never a signal of a change that did not happen.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from becoming.customers.models import Contact, Customer
from becoming.signals.actions import ingest_batch

from .models import MagicLink

log = logging.getLogger(__name__)

SALT = "becoming.portal.link"
LINK_MINUTES = getattr(settings, "PORTAL_LINK_MINUTES", 30)
INVITE_DAYS = 7
# Link requests: at most this many per email, and per client address, within WINDOW seconds.
LIMITS = {"email": 5, "address": 20, "window": 15 * 60}
SAME_ANSWER = ("If this email belongs to one of our customers' contacts, a sign-in link is on "
               "its way. It works once, for {minutes} minutes.")


class LinkError(Exception):
    """A magic link that cannot sign anyone in; ``reason`` is shown to the visitor."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# -- signals ----------------------------------------------------------------------------------

def record(contact: Contact, type_: str, key: str, value: float | None = None,
           when: dt.datetime | None = None) -> None:
    """One portal signal of the contact's customer; ``key`` makes a repeat a no-op."""
    ingest_batch(contact.workspace, [{
        "customer_id": contact.customer.external_id, "kind": "event", "type": type_,
        "time": when or timezone.now(), "value": value,
        "id": f"{type_}-{contact.pk}-{key}",
    }])


def record_visit(contact: Contact, page: str = "home") -> None:
    """``portal.visit``: one per contact, page and day."""
    record(contact, "portal.visit", f"{page}-{timezone.now().date().isoformat()}")


# -- magic links ------------------------------------------------------------------------------

def token_for(link: MagicLink) -> str:
    return signing.dumps({"l": link.pk}, salt=SALT, compress=True)


def link_url(base_url: str, link: MagicLink) -> str:
    return f"{base_url.rstrip('/')}/portal/sign-in/{token_for(link)}/"


def issue_link(contact: Contact, minutes: int | None = None, reason: str = "request") -> MagicLink:
    """A new single-use link for ``contact``, expiring after ``minutes`` (default LINK_MINUTES)."""
    if not contact.email:
        raise ValidationError(f"contact {contact.name or contact.pk} has no email address")
    expires = timezone.now() + dt.timedelta(minutes=minutes or LINK_MINUTES)
    return MagicLink.objects.create(workspace=contact.workspace, contact=contact, expires=expires,
                                    reason=reason)


def link_from_token(token: str) -> MagicLink:
    """The link a token names, if it may still sign in; LinkError otherwise. Nothing changes."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise LinkError("This sign-in link is not valid. Ask for a new one below.") from None
    pk = data.get("l") if isinstance(data, dict) else None
    link = (MagicLink.objects.select_related("contact__customer", "contact__workspace")
            .filter(pk=pk).first() if isinstance(pk, int) else None)
    if link is None:
        raise LinkError("This sign-in link is not valid. Ask for a new one below.")
    if link.used is not None:
        raise LinkError("This sign-in link was already used. Each link works once: ask for a new one below.")
    if link.expires < timezone.now():
        raise LinkError("This sign-in link has expired. Ask for a new one below.")
    return link


def use_link(token: str) -> Contact:
    """Spend a link: the contact it signs in, or LinkError. A link is spent at most once, even
    when two requests race (the update only succeeds for the first)."""
    link = link_from_token(token)
    spent = MagicLink.objects.filter(pk=link.pk, used__isnull=True).update(used=timezone.now())
    if not spent:
        raise LinkError("This sign-in link was already used. Each link works once: ask for a new one below.")
    record(link.contact, "portal.sign_in", f"link-{link.pk}")
    return link.contact


def _limited(kind: str, key: str) -> bool:
    """Count one request for (kind, key); True when it is over the limit of its window."""
    cache = caches["throttle"]
    counter = f"portal-link:{kind}:{key}"
    cache.add(counter, 0, LIMITS["window"])
    try:
        count = cache.incr(counter)
    except ValueError:  # the window ended between add and incr
        cache.set(counter, count := 1, LIMITS["window"])
    return count > LIMITS[kind]


def request_link(email: str, address: str, base_url: str, connection=None) -> str:
    """Email a sign-in link to every contact with this email; returns the one answer shown
    whatever happened (no contact, several, or rate-limited), so it reveals nothing."""
    email = (email or "").strip()
    if "@" not in email or len(email) > 254:
        raise ValidationError("Enter the email address we know you by.")
    answer = SAME_ANSWER.format(minutes=LINK_MINUTES)
    digest = hashlib.sha256(email.lower().encode()).hexdigest()[:32]
    over_email, over_address = _limited("email", digest), _limited("address", address)
    if over_email or over_address:
        log.warning("portal link requests over the limit for %s", "email" if over_email else address)
        return answer
    contacts = list(Contact.objects.filter(email__iexact=email)
                    .select_related("customer", "workspace"))
    if contacts:
        send_links(contacts, base_url, connection=connection)
    return answer


def send_links(contacts, base_url: str, minutes: int | None = None, reason: str = "request",
               connection=None) -> list[tuple[Contact, str]]:
    """Issue a link to each contact and email it; returns (contact, link URL) pairs."""
    out, messages = [], []
    connection = connection or get_connection()
    for contact in contacts:
        if not contact.email:
            continue
        link = issue_link(contact, minutes, reason)
        url = link_url(base_url, link)
        context = {"contact": contact, "customer": contact.customer, "workspace": contact.workspace,
                   "link": url, "expires": link.expires, "invite": reason == "invite"}
        subject = (f"{contact.workspace.name}: your portal" if reason == "invite"
                   else f"Sign in to {contact.workspace.name}'s portal")
        message = EmailMultiAlternatives(subject, render_to_string("portal/email/link.txt", context),
                                         settings.DEFAULT_FROM_EMAIL, [contact.email],
                                         connection=connection)
        message.attach_alternative(render_to_string("portal/email/link.html", context), "text/html")
        messages.append(message)
        out.append((contact, url))
    if messages:
        connection.send_messages(messages)
    return out


# -- staff invitations ------------------------------------------------------------------------

def invite_contacts(workspace, base_url: str, *, email: str = "", dimension: str = "",
                    stage: int | None = None, attribute: str = "", value: str = "",
                    connection=None) -> list[tuple[Contact, str]]:
    """Invite contacts to the portal: one by email, or every contact (with an email) of the
    customers at a stage of a dimension, or of a segment (an attribute's value). Each gets a
    link valid for INVITE_DAYS days; returns (contact, link URL) pairs."""
    contacts = invitees(workspace, email=email, dimension=dimension, stage=stage,
                        attribute=attribute, value=value)
    sent = send_links(list(contacts), base_url, minutes=INVITE_DAYS * 24 * 60, reason="invite",
                      connection=connection)
    for contact, _ in sent:
        record(contact, "portal.invited", timezone.now().isoformat())
    return sent


def invitees(workspace, *, email: str = "", dimension: str = "", stage: int | None = None,
             attribute: str = "", value: str = "") -> QuerySet[Contact]:
    """The contacts an invitation reaches; ValidationError when the choice names nothing."""
    from becoming.transformation.actions import current_model

    qs = Contact.objects.filter(workspace=workspace).exclude(email="").select_related("customer")
    if email:
        found = qs.filter(email__iexact=email.strip())
        if not found.exists():
            raise ValidationError(f"email: no contact with the email {email!r} in this workspace")
        return found
    if dimension:
        model = current_model(workspace)
        dims = {d.key: d for d in model.dimensions} if model else {}
        if dimension not in dims:
            raise ValidationError(f"dimension: no dimension {dimension!r} in the current model")
        if stage is None or not 0 <= stage < len(dims[dimension].stages):
            raise ValidationError(f"stage: pick a stage of {dims[dimension].name}")
        return qs.filter(**{f"customer__stages__{dimension}": stage})
    if attribute:
        from becoming.customers.models import Attribute

        if not Attribute.objects.filter(workspace=workspace, name=attribute).exists():
            raise ValidationError(f"attribute: no customer attribute {attribute!r} in this workspace")
        ids = [c.pk for c in Customer.objects.filter(workspace=workspace).only("attributes")
               if str(_plain(c.attributes.get(attribute))) == value]
        return qs.filter(customer_id__in=ids)
    raise ValidationError("choose whom to invite: an email, a stage, or a segment")


def _plain(value):
    return int(value) if isinstance(value, float) and value.is_integer() else value


def search_contacts(workspace, q: str, limit: int = 50) -> list[Contact]:
    from django.db.models import Q

    qs = Contact.objects.filter(workspace=workspace).select_related("customer")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(email__icontains=q) | Q(customer__name__icontains=q)
                       | Q(customer__external_id__icontains=q))
    return list(qs.order_by("customer__name", "name", "pk")[:limit])


def contact_of(workspace, pk) -> Contact:
    contact = Contact.objects.select_related("customer").filter(workspace=workspace, pk=pk).first()
    if contact is None:
        raise ValidationError("no such contact in this workspace")
    return contact


# -- what a contact sees ----------------------------------------------------------------------

def journey(contact: Contact) -> dict[str, Any]:
    """The vision, each dimension's ladder with what the next stage needs, and the customer's
    stages over time: only what a member of this customer may see (no index, no notes)."""
    from becoming.assessments.actions import ladders, latest_snapshot
    from becoming.transformation.actions import current_model

    customer, workspace = contact.customer, contact.workspace
    model = current_model(workspace)
    snapshot = latest_snapshot(workspace)
    steps = ladders(snapshot, customer.pk) if snapshot else []
    for step in steps:
        step["needs"] = [plain_need(c) for c in step["explanation"].criteria if c.missing]
        step["done"] = [c.label for c in step["explanation"].criteria if not c.missing]
    return {"vision": model.vision if model else "", "ladders": steps,
            "as_of": snapshot.as_of if snapshot else None,
            "progress": progress_series(workspace, customer.pk)}


def plain_need(criterion) -> str:
    """The engine's explanation of a missing criterion, as a sentence for the customer."""
    text = criterion.missing.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def progress_series(workspace, customer_pk: int) -> dict[str, Any]:
    """The customer's stage on each dimension at each snapshot date (the newest snapshot of a
    date wins), read straight from the snapshot files, for the portal's chart."""
    import os

    import duckdb

    from becoming.assessments.models import Snapshot

    latest: dict[dt.date, Any] = {}
    for snap in Snapshot.objects.filter(workspace=workspace).select_related("model_version").order_by("as_of", "created"):
        if os.path.exists(snap.path):
            latest[snap.as_of] = snap
    if not latest:
        return {"labels": [], "datasets": []}
    snaps = [latest[d] for d in sorted(latest)]
    model = snaps[-1].model_version.parsed()
    con = duckdb.connect()
    rows: dict[str, dict] = {}
    for snap in snaps:
        rel = con.execute("SELECT * FROM read_parquet(?) WHERE customer_id = ?", [snap.path, customer_pk])
        names = [d[0] for d in rel.description]
        row = rel.fetchone()
        if row is not None:
            rows[snap.as_of.isoformat()] = dict(zip(names, row))
    labels = list(rows)
    datasets = []
    for dim in model.dimensions:
        col = f"stage__{dim.key}"
        datasets.append({"label": dim.name, "stages": [s.name for s in dim.stages],
                         "data": [rows[d].get(col) for d in labels]})
    return {"labels": labels, "datasets": datasets}


def sections(contact: Contact, request) -> list[dict[str, Any]]:
    """The cards the levers registered (``registry.PORTAL_SECTIONS``) that have something to
    show this contact, with their template context."""
    from becoming import registry

    out = []
    for section in registry.PORTAL_SECTIONS:
        context = registry.resolve(section.context)(contact, request)
        if context is not None:
            out.append({"section": section, "context": context})
    return out


# -- the self-assessment ----------------------------------------------------------------------

def self_assessment(workspace):
    """The workspace's newest open (or draft) self-assessment survey, or None."""
    from becoming.engage.models import Survey

    return (Survey.objects.filter(workspace=workspace, self_assessment=True)
            .exclude(status=Survey.Status.CLOSED).order_by("-created").first())


def last_self_assessment(contact: Contact) -> dict | None:
    from becoming.engage.models import Response

    response = (Response.objects.filter(contact=contact, survey__self_assessment=True,
                                        submitted__isnull=False).order_by("-submitted").first())
    return dict(response.answers) if response else None


def submit_self_assessment(contact: Contact, raw: dict) -> Any:
    """The contact's answers to the self-assessment, through Engage's survey machinery: each
    answer becomes a signal as a survey answer does. A contact may answer again whenever
    their situation changes; each submission is a response of its own."""
    from becoming.engage.actions.surveys import save_answers, submit
    from becoming.engage.models import Response

    survey = self_assessment(contact.workspace)
    if survey is None:
        raise ValidationError("there is no self-assessment to answer yet")
    questions = {q.key for q in survey.questions.all()}
    answers = {k: v for k, v in raw.items() if k in questions}
    missing = [q.text for q in survey.questions.all() if q.required and not answers.get(q.key)]
    if missing:
        raise ValidationError([f"please answer: {text}" for text in missing])
    response = Response(survey=survey, contact=contact, customer=contact.customer)
    response.save()
    try:
        save_answers(response, answers)
        response = submit(response)
    except ValidationError:
        response.delete()
        raise
    record(contact, "portal.self_assessment", f"response-{response.pk}")
    return response


# -- staff: sign-in details for the demo ------------------------------------------------------

def demo_link(workspace, base_url: str, minutes: int = 7 * 24 * 60) -> tuple[Contact, str] | None:
    """A fresh sign-in link (nothing is emailed) for ``becoming demo`` to print: a contact of
    a customer with a goal staff accepted and the customer has yet to accept, else any contact."""
    from becoming.inspire.models import Goal

    qs = Contact.objects.filter(workspace=workspace).exclude(email="").select_related("customer")
    goal = (Goal.objects.filter(workspace=workspace, status=Goal.Status.ACCEPTED,
                                customer_accepted_on__isnull=True, goal_date__gte=timezone.now().date())
            .order_by("customer__external_id", "dimension").first())
    contact = (qs.filter(customer_id=goal.customer_id).order_by("pk").first() if goal else None) \
        or qs.order_by("customer__external_id", "pk").first()
    if contact is None:
        return None
    return contact, link_url(base_url, issue_link(contact, minutes, reason="demo"))


# -- pages ------------------------------------------------------------------------------------

def home(contact: Contact, request, record: bool = True) -> dict[str, Any]:
    """Everything the portal's home shows ``contact``; counts the visit unless staff view."""
    if record:
        record_visit(contact)
    rendered = []
    for item in sections(contact, request):
        section = item["section"]
        html = render_to_string(section.template, {"contact": contact, "customer": contact.customer,
                                                   "viewing_as": not record, **item["context"]}, request)
        rendered.append({"key": section.key, "label": section.label, "column": section.column,
                         "html": mark_safe(html)})  # noqa: S308 (our own templates)
    return {**journey(contact), "contact": contact, "portal_contact": contact,
            "customer": contact.customer, "workspace_name": contact.workspace.name,
            "main_sections": [s for s in rendered if s["column"] == "main"],
            "side_sections": [s for s in rendered if s["column"] != "main"],
            "self_assessment": self_assessment(contact.workspace),
            "viewing_as": not record}


def staff_page(workspace, params) -> dict[str, Any]:
    """The staff page's context: the invite choices and contacts matching a search."""
    from becoming.customers.models import Attribute
    from becoming.transformation.actions import current_model

    model = current_model(workspace)
    q = (params.get("q") or "").strip()
    return {"dimensions": model.dimensions if model else [], "q": q,
            "attributes": list(Attribute.objects.filter(workspace=workspace, type="text")
                               .values_list("name", flat=True)),
            "contacts": search_contacts(workspace, q),
            "invited": MagicLink.objects.filter(workspace=workspace, reason="invite").count(),
            "signed_in": MagicLink.objects.filter(workspace=workspace, used__isnull=False)
            .values("contact").distinct().count()}
