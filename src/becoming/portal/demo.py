"""The portal's part of the demo: a few contacts invited, some of whom signed in and visited."""

import datetime as dt

from django.utils import timezone

from becoming.customers.models import Contact
from becoming.signals.actions import ingest_batch

from .models import MagicLink

INVITED = 300


def build_portal(demo) -> None:
    """Portal visits of the contacts of a few hundred accounts (spent invitation links and
    ``portal.visit`` signals over the last months, more often for more mature accounts)."""
    rng = demo.rng("portal")
    n = len(demo.customer_ids)
    picked = rng.choice(n, size=min(INVITED, n), replace=False)
    contacts = {}
    for c in (Contact.objects.filter(workspace=demo.workspace, customer_id__in=[int(demo.customer_ids[i]) for i in picked])
              .exclude(email="").select_related("customer").order_by("pk")):
        contacts.setdefault(c.customer_id, c)
    now = timezone.now()
    links, events = [], []
    maturity = demo.maturity[:, -1]
    for i in picked:
        contact = contacts.get(int(demo.customer_ids[i]))
        if contact is None or demo.churn[i] >= 0:  # churned accounts (-1: stayed) do not visit
            continue
        visits = int(rng.poisson(1 + 8 * maturity[i]))
        links.append(MagicLink(workspace=demo.workspace, contact=contact, expires=now - dt.timedelta(days=1),
                               used=now - dt.timedelta(days=int(rng.integers(1, 90))), reason="invite"))
        for v in range(visits):
            day = demo.today - dt.timedelta(days=int(rng.integers(0, 120)))
            events.append({"customer_id": contact.customer.external_id, "kind": "event",
                           "type": "portal.visit", "id": f"portal.visit-{contact.pk}-demo-{v}",
                           "time": dt.datetime.combine(day, dt.time(10, 0), tzinfo=dt.UTC)})
    MagicLink.objects.bulk_create(links)
    ingest_batch(demo.workspace, events)
