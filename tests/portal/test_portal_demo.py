"""The portal's and Inspire's demo steps, run on the small real history (the full demo is
built by `becoming demo`; its timing is in docs/readme/portal.md): goals accepted (some
missed), consented and published stories, champions, portal visits, and the sign-in link
`becoming demo` prints."""

import numpy as np
import pytest
from portal_data import signal_types


@pytest.mark.django_db
def test_demo_steps_and_the_printed_link(client, history):
    from becoming import registry
    from becoming.demo.context import DemoContext
    from becoming.inspire.actions.goals import at_risk
    from becoming.inspire.models import Champion, Consent, Goal, Story
    from becoming.portal.actions import demo_link

    ws = history["customers"]["A"].workspace
    ids = np.array([c.pk for c in history["customers"].values()])
    demo = DemoContext(workspace=ws, seed=7, today=history["today"], start=history["ends"][0],
                       customer_ids=ids, traits={}, maturity=np.full((len(ids), 30), 0.5),
                       churn=np.array([-1, -1, 12, -1]))
    steps = {s.key: s for s in registry.DEMO_STEPS}
    for key in ("inspire", "portal"):
        assert not steps[key].before_history
        registry.resolve(steps[key].target)(demo)

    assert Goal.objects.filter(workspace=ws, status="accepted").count() == 3  # A, B and D
    assert Goal.objects.filter(workspace=ws, customer_accepted_on__isnull=False).exists()
    assert at_risk(ws)  # goals agreed whose date has passed
    published = Story.objects.filter(workspace=ws, status="published")
    assert published.count() == 3
    assert Consent.objects.filter(workspace=ws, named=True, customer__stories__in=published).exists()
    assert Champion.objects.filter(workspace=ws, status="invited").count() == 1
    visits = signal_types(ws).count("portal.visit")
    assert visits >= 3  # the three accounts that did not churn visited

    contact, link = demo_link(ws, "http://127.0.0.1:8000")
    from becoming.portal.models import MagicLink

    spent = MagicLink.objects.filter(reason="demo").get()
    assert (spent.expires - spent.created).days >= 6  # printed links last days, not minutes
    assert client.post(link.removeprefix("http://127.0.0.1:8000")).status_code == 302
    home = client.get("/portal/").content.decode()
    assert contact.customer.display_name in home and "Your goals" in home
    assert "Stories of peers" in home and "Customers like you" in home
