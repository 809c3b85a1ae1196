"""A customer-success manager's accounts: notes, the merged timeline, usage, and alerts.

The timeline knows no other app: each app registers a ``registry.TimelineSource`` that
returns its own entries (signals, meetings, stage changes, outcomes...), and this module
merges them. Alerts are made on stage drops (after an assessment, through
``registry.add_assessment_hook``) and on renewals coming within the workspace's window, and
are mailed to the account's owner.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from becoming import registry
from becoming.customers.models import Customer

from .models import Alert, AlertSettings, Note

NOTE_MAX = 10_000
TIMELINE_PAGE = 50
USAGE_WEEKS = 26
# Stage drops older than this are history, not news: rebuilding a year of month-end
# snapshots must not raise a year of alerts.
RECENT_DROPS = dt.timedelta(days=31)


# -- notes ------------------------------------------------------------------------------------

def add_note(customer: Customer, text: str, author=None) -> Note:
    """A note on ``customer`` by ``author`` (a user, or None for a script)."""
    text = (text or "").strip()
    if not text:
        raise ValidationError("text: a note needs some text")
    if len(text) > NOTE_MAX:
        raise ValidationError(f"text: a note has at most {NOTE_MAX:,} characters")
    return Note.objects.create(workspace=customer.workspace, customer=customer, author=author,
                               text=text)


def notes(customer: Customer):
    """The customer's notes, newest first."""
    return Note.objects.filter(customer=customer).select_related("author")


def author_by_email(workspace, email: str | None):
    """The member who writes a note from the CLI (None without an email)."""
    from becoming.customers.actions import workspace_member

    return workspace_member(workspace, email, "author") if email else None


# -- the merged timeline ----------------------------------------------------------------------

def timeline_kinds() -> list[tuple[str, str]]:
    """(key, label) of every kind of timeline entry, in the registry's order."""
    return [(s.key, s.label) for s in registry.TIMELINE_SOURCES]


def timeline(customer: Customer, kinds: list[str] | None = None, page: int = 1,
             size: int = TIMELINE_PAGE) -> dict:
    """One page of the customer's merged timeline, newest first.

    Each chosen source (all when ``kinds`` is empty) gives its newest ``page * size``
    entries; merged, the page is the slice ``[(page-1)*size, page*size)``: exact, and cheap
    for the first pages people read. Returns {"entries", "page", "has_next", "kinds"}.
    """
    page = max(1, page)
    chosen = [s for s in registry.TIMELINE_SOURCES if not kinds or s.key in kinds]
    want = page * size + 1  # one more: is there a next page?
    merged = []
    for source in chosen:
        for entry in registry.resolve(source.target)(customer, None, None, want):
            merged.append({**entry, "kind": source.key, "kind_label": source.label,
                           "time": _aware(entry["time"])})
    merged.sort(key=lambda e: e["time"], reverse=True)
    start = (page - 1) * size
    return {"entries": merged[start:start + size], "page": page,
            "has_next": len(merged) > start + size, "kinds": [s.key for s in chosen]}


def _aware(moment) -> dt.datetime:
    if not isinstance(moment, dt.datetime):  # a date: its start, UTC
        moment = dt.datetime.combine(moment, dt.time())
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=dt.UTC)


def weekly_usage(customer: Customer, weeks: int = USAGE_WEEKS, today: dt.date | None = None) -> dict:
    """Product events per week over the last ``weeks`` weeks (Monday-started, oldest first):
    {"weeks": [date], "counts": [int], "total", "peak"}."""
    import duckdb

    from becoming.signals.actions import store_for

    today = today or timezone.now().date()
    first = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=weeks - 1)
    starts = [first + dt.timedelta(weeks=i) for i in range(weeks)]
    counts = dict.fromkeys(starts, 0)
    store = store_for(customer.workspace)
    if store.files():
        con = duckdb.connect()
        store.register(con, "signals")
        rows = con.execute(
            "SELECT CAST(date_trunc('week', time) AS DATE), count(*) FROM signals "
            "WHERE customer_id = ? AND kind = 'event' AND time >= ? GROUP BY 1",
            [customer.pk, dt.datetime.combine(first, dt.time())]).fetchall()
        for week, count in rows:
            if week in counts:
                counts[week] = count
    values = list(counts.values())
    return {"weeks": starts, "counts": values, "total": sum(values), "peak": max(values)}


def usage_bars(usage: dict, width: int = 520, height: int = 110) -> list[dict]:
    """The bars of the usage chart (an inline SVG): x, y, width, height and a label each."""
    peak = usage["peak"] or 1
    step = width / len(usage["counts"])
    bars = []
    for i, (week, count) in enumerate(zip(usage["weeks"], usage["counts"])):
        h = round(height * count / peak, 1)
        bars.append({"x": round(i * step + 1, 1), "y": round(height - h, 1),
                     "w": round(step - 2, 1), "h": h,
                     "label": f"Week of {week:%Y-%m-%d}: {count:,} event{'s' * (count != 1)}"})
    return bars


# -- alerts -----------------------------------------------------------------------------------

def alert_settings(workspace) -> AlertSettings:
    found = AlertSettings.objects.filter(workspace=workspace).first()
    return found or AlertSettings(workspace=workspace)


def set_renewal_days(workspace, days: int) -> AlertSettings:
    """How many days before a renewal its alert comes (1 to 365)."""
    if not isinstance(days, int) or not 1 <= days <= 365:
        raise ValidationError(f"renewal_days: a whole number of days from 1 to 365, not {days!r}")
    found, _ = AlertSettings.objects.update_or_create(workspace=workspace,
                                                      defaults={"renewal_days": days})
    return found


def renewal_alerts(workspace, today: dt.date | None = None) -> int:
    """Alerts for accounts (not churned) renewing within the window; returns how many new."""
    today = today or timezone.now().date()
    days = alert_settings(workspace).renewal_days
    due = (Customer.objects.filter(workspace=workspace, renewal_date__gte=today,
                                   renewal_date__lte=today + dt.timedelta(days=days))
           .exclude(status=Customer.Status.CHURNED).only("id", "renewal_date"))
    alerts = []
    for c in due.iterator():
        assert c.renewal_date is not None  # filtered above
        left = (c.renewal_date - today).days
        when = "today" if left == 0 else f"in {left} day{'s' * (left != 1)}"
        alerts.append(Alert(workspace=workspace, customer_id=c.pk, kind=Alert.Kind.RENEWAL,
                            key=c.renewal_date.isoformat(),
                            message=f"Renews {when}, on {c.renewal_date:%Y-%m-%d}"))
    return _create(workspace, alerts)


def stage_drop_alerts(workspace, as_of: dt.date | None = None) -> int:
    """Alerts for customers (not churned) who moved down a stage in the assessment of
    ``as_of`` (default: the latest); returns how many new. Drops older than RECENT_DROPS
    before today raise none."""
    from becoming.assessments.models import StageChange

    if as_of is None:
        as_of = (StageChange.objects.filter(workspace=workspace).order_by("-as_of")
                 .values_list("as_of", flat=True).first())
    if as_of is None or as_of < timezone.now().date() - RECENT_DROPS:
        return 0
    names = _stage_names(workspace)
    drops = (StageChange.objects.filter(workspace=workspace, as_of=as_of,
                                        to_index__lt=F("from_index"))
             .exclude(customer__status=Customer.Status.CHURNED))
    alerts = []
    for change in drops.iterator():
        dim, stages = names.get(change.dimension, (change.dimension, {}))
        alerts.append(Alert(
            workspace=workspace, customer_id=change.customer_id, kind=Alert.Kind.STAGE_DROP,
            key=f"{change.dimension}:{change.as_of.isoformat()}",
            message=(f"Dropped on {dim}: from {stages.get(change.from_stage, change.from_stage)} "
                     f"to {stages.get(change.to_stage, change.to_stage)} "
                     f"(assessed {change.as_of:%Y-%m-%d})")[:500]))
    return _create(workspace, alerts)


def _stage_names(workspace) -> dict:
    """{dimension key: (name, {stage key: name})} of the current model."""
    from becoming.transformation.actions import current_model

    model = current_model(workspace)
    if model is None:
        return {}
    return model.names()


def _create(workspace, alerts: list[Alert]) -> int:
    """Store the alerts not stored yet (one per customer, kind and key); how many were new."""
    before = Alert.objects.filter(workspace=workspace).count()
    Alert.objects.bulk_create(alerts, batch_size=1000, ignore_conflicts=True)
    return Alert.objects.filter(workspace=workspace).count() - before


def check_alerts(workspace, today: dt.date | None = None, send: bool = True) -> dict:
    """Renewals within the window and the latest assessment's stage drops become alerts;
    then the owners get the alerts not mailed yet. Returns {"created", "emailed",
    "mail_failed"}."""
    created = renewal_alerts(workspace, today) + stage_drop_alerts(workspace)
    mailed = mail_alerts(workspace) if send else {"emailed": 0, "mail_failed": False}
    return {"created": created, **mailed}


def after_assessment(snapshot) -> None:
    """The assessment hook: a fresh assessment's drops and the renewals become alerts, and
    owners are mailed. Only for the newest snapshot (not for history being rebuilt)."""
    from becoming.assessments.models import Snapshot

    workspace = snapshot.workspace
    if Snapshot.objects.filter(workspace=workspace, as_of__gt=snapshot.as_of).exists():
        return
    renewal_alerts(workspace)
    stage_drop_alerts(workspace, snapshot.as_of)
    mail_alerts(workspace)


def mail_alerts(workspace, connection=None) -> dict:
    """One message per owner listing their accounts' alerts not mailed yet (and not
    dismissed). A failed send changes nothing: those alerts stay unmailed, and the next
    check tries again. Returns {"emailed": messages sent, "mail_failed": bool}."""
    pending = (Alert.objects.filter(workspace=workspace, emailed__isnull=True, dismissed=False,
                                    customer__owner__isnull=False)
               .exclude(customer__owner__email="")
               .select_related("customer", "customer__owner").order_by("customer__name", "id"))
    by_owner: dict = defaultdict(list)
    for alert in pending:
        by_owner[alert.customer.owner].append(alert)
    if not by_owner:
        return {"emailed": 0, "mail_failed": False}
    sent = 0
    try:
        connection = connection or get_connection()
        for owner, alerts in by_owner.items():
            _mail_owner(workspace, owner, alerts, connection)
            sent += 1
    except (smtplib.SMTPException, OSError):
        return {"emailed": sent, "mail_failed": True}
    return {"emailed": sent, "mail_failed": False}


def _mail_owner(workspace, owner, alerts: list[Alert], connection) -> None:
    subject = (f"{len(alerts)} alert{'s' * (len(alerts) != 1)} on your accounts "
               f"in {workspace.name}")
    text = render_to_string("accounts/email/alerts.txt",
                            {"workspace": workspace, "owner": owner, "alerts": alerts})
    EmailMessage(subject, text, settings.DEFAULT_FROM_EMAIL, [owner.email],
                 connection=connection).send()
    # Marked only once the message went out: a failure above leaves them for the next check.
    Alert.objects.filter(pk__in=[a.pk for a in alerts]).update(emailed=timezone.now())


def list_alerts(workspace, user=None, mine: bool = False, show: str = "open"):
    """Alerts newest first: ``show`` open (not dismissed), unread or all; ``mine`` only on
    accounts ``user`` owns."""
    qs = Alert.objects.filter(workspace=workspace).select_related("customer", "customer__owner")
    if show == "open":
        qs = qs.filter(dismissed=False)
    elif show == "unread":
        qs = qs.filter(dismissed=False, read=False)
    elif show != "all":
        raise ValidationError(f"show: open, unread or all, not {show!r}")
    if mine:
        qs = qs.filter(customer__owner=user)
    return qs


def unread_count(membership) -> int:
    """The nav badge: open, unread alerts of the workspace."""
    return Alert.objects.filter(workspace=membership.workspace, dismissed=False,
                                read=False).count()


@transaction.atomic
def mark_alert(alert: Alert, action: str) -> Alert:
    """read, unread, dismiss or restore one alert."""
    changes = {"read": {"read": True}, "unread": {"read": False},
               "dismiss": {"dismissed": True, "read": True}, "restore": {"dismissed": False}}
    if action not in changes:
        raise ValidationError(f"action: one of {', '.join(changes)}, not {action!r}")
    for name, value in changes[action].items():
        setattr(alert, name, value)
    alert.save(update_fields=list(changes[action]))
    return alert


def alert_row(alert: Alert) -> dict:
    """An alert as the API and the CLI give it."""
    owner = alert.customer.owner
    return {"id": alert.pk, "customer_id": alert.customer.external_id,
            "customer": alert.customer.display_name, "kind": alert.kind,
            "message": alert.message, "created": alert.created, "read": alert.read,
            "dismissed": alert.dismissed, "emailed": alert.emailed,
            "owner": owner.email if owner else None}


def release_accounts(sender, instance, **kwargs) -> None:
    """A member removed from a workspace owns none of its accounts any more (a post_delete
    receiver of Membership: the workspaces app knows nothing of owners)."""
    Customer.objects.filter(workspace_id=instance.workspace_id, owner_id=instance.user_id) \
        .update(owner=None)
