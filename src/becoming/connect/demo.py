"""Connect's part of the Fieldwise demo: ~300 opted-in members with what they work on, two
past rounds with accepts, declines and ratings, a gathering, and a forum with threads.

Runs before the month-end history is rebuilt (``before_history``), so the ``connect.*``
signals shape it. No mail leaves: the past is recorded as it would have happened.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.core.mail import get_connection
from django.db import transaction

MEMBERS = 300

WORK = {
    "rollout": ["rolling out the app to a second site", "getting every crew on the same checklist",
                "moving the last paper forms to mobile"],
    "data": ["connecting the ERP so job costs flow automatically", "building a weekly operations report",
             "cleaning up asset data before the audit"],
    "people": ["training new supervisors on the dispatch board", "getting field technicians to log work the same day",
               "onboarding seasonal staff faster"],
    "customers": ["sending customers live arrival times", "cutting repeat visits by fixing jobs first time",
                  "collecting signatures and photos at handover"],
}

THREADS = [
    ("Rolling out", "How did you bring a second site on board?",
     "We go live at our second depot next month. What would you do differently if you started again?",
     ["We ran both sites on the same checklist from day one and it saved us weeks of arguments.",
      "Pick one champion on the new site and give them the admin rights early.",
      "Do not migrate the old jobs. Start clean and keep the archive read-only."]),
    ("Rolling out", "Paper forms that will not die",
     "Our crews still print the safety form. Has anyone managed to retire it completely?",
     ["We made the mobile form shorter than the paper one. That was the turning point.",
      "Ask your insurer: ours accepted the digital form and the argument was over."]),
    ("Reporting", "A weekly ops report people actually read",
     "Which three numbers do you put in front of your managers every Monday?",
     ["First-time fix rate, jobs closed late, and overtime hours. Nothing else.",
      "We added customer callbacks. It changed the conversation more than anything."]),
    ("Reporting", "ERP integration: worth it?",
     "We are quoting the ERP connector. Did it pay back for you, and how long did it take?",
     ["Six weeks to set up, paid back within the quarter because invoicing went same-day.",
      "Get your item codes clean first or you will import the mess twice."]),
    ("Field teams", "Getting technicians to log work the same day",
     "Half our jobs are closed two days late. What worked for you?",
     ["We stopped paying overtime for paperwork done at home. Same-day logging went to 90%.",
      "Voice notes in the app. Our older technicians love it."]),
]

STAFF_REPLY = "Thank you all. We are collecting these tips into a guide and will share it here."


def _say(rng, industry: str) -> str:
    themes = rng.choice(list(WORK), size=2, replace=False)
    parts = [WORK[t][rng.integers(len(WORK[t]))] for t in themes]
    return f"{parts[0].capitalize()}, and {parts[1]} ({industry.lower()})."


def build(demo) -> None:
    from becoming.connect.actions import forum, gatherings, introductions, members, rounds
    from becoming.connect.models import Introduction, Member, Round, Seat
    from becoming.customers.models import Contact, Customer

    ws = demo.workspace
    rng = demo.rng("connect")
    taste = np.asarray(demo.traits["community"])
    alive = np.asarray(demo.churn) >= len(demo.maturity[0]) - 1
    order = np.argsort(-(taste + 0.5 * alive))[:MEMBERS]
    chosen = [int(demo.customer_ids[i]) for i in order]
    customers = list(Customer.objects.filter(workspace=ws, pk__in=chosen))
    joined = dt.datetime.combine(demo.start + dt.timedelta(days=30), dt.time(9), tzinfo=dt.UTC)
    members.opt_in(ws, customers, how=Member.Consent.STAFF, by="demo@fieldwise.example",
                   note="signed up at the customer advisory board")
    member_rows = list(Member.objects.filter(workspace=ws).select_related("customer"))
    for m in member_rows:
        m.consent_at = joined
        m.working_on = _say(rng, str(m.customer.attributes.get("Industry") or "field service"))
    Member.objects.bulk_update(member_rows, ["consent_at", "working_on"], batch_size=500)

    # Two past rounds: same-industry four months ago, across industries six weeks ago.
    for days_ago, mode in ((120, "same-industry"), (45, "cross-industry")):
        as_of = demo.today - dt.timedelta(days=days_ago)
        result = rounds.propose(ws, mode=mode, industry_attribute="Industry",
                                exclude_same=["Industry", "Region"] if mode == "same-industry" else ["Industry"],
                                as_of=as_of, name=f"{'Same industry' if mode == 'same-industry' else 'Across industries'}, "
                                                  f"{as_of:%B %Y}")
        _record_past(result["round"], as_of, rng, introductions, Introduction, Round)

    # A gathering last month, and an open forum.
    starts = dt.datetime.combine(demo.today - dt.timedelta(days=20), dt.time(18, 30), tzinfo=dt.UTC)
    from django.core.exceptions import ValidationError

    save = {"title": "Operations roundtable", "starts": starts, "location": "Lyon, Fieldwise office",
            "topic": "From one site to many"}
    try:
        made = gatherings.form(ws, size_min=5, size_max=8, exclude_same=["Industry", "Region"], save=save)
    except ValidationError:  # a small demo (tests) can have more competitors than tables
        made = gatherings.form(ws, size_min=5, size_max=8, save=save)
    seats = list(Seat.objects.filter(gathering=made["gathering"]))
    came = {}
    for seat in seats:
        seat.rsvp = "yes" if rng.random() < 0.75 else "no"
        if seat.rsvp == "yes":
            came[seat.pk] = bool(rng.random() < 0.85)
    Seat.objects.bulk_update(seats, ["rsvp"])
    gatherings.record_attendance(made["gathering"], came)

    model_dims = {}
    from becoming.transformation.actions import current_model

    model = current_model(ws)
    for dim in (model.dimensions if model else ()):
        model_dims[dim.name] = dim.key
    topics = {}
    for title in ("Rolling out", "Reporting", "Field teams"):
        topics[title] = forum.add_topic(ws, title, description=f"Members on {title.lower()}",
                                        dimension=next(iter(model_dims.values()), "") if title == "Rolling out" else "")
    contacts = list(Contact.objects.filter(workspace=ws, customer_id__in=chosen).exclude(email="")
                    .select_related("customer"))
    quiet = get_connection("django.core.mail.backends.dummy.EmailBackend")
    staff = ws.memberships.select_related("user").first()
    for n, (topic, title, opening, replies) in enumerate(THREADS):
        when = dt.datetime.combine(demo.today - dt.timedelta(days=60 - n * 9), dt.time(10), tzinfo=dt.UTC)
        author = contacts[rng.integers(len(contacts))]
        thread = forum.start_thread(topics[topic], title, opening, contact=author, connection=quiet, when=when)
        for k, text in enumerate(replies):
            who = contacts[rng.integers(len(contacts))]
            forum.reply(thread, text, contact=who, connection=quiet, when=when + dt.timedelta(hours=5 + 20 * k))
        if staff and n % 2 == 0:
            forum.reply(thread, STAFF_REPLY, staff=staff.user, connection=quiet,
                        when=when + dt.timedelta(days=3))


def _record_past(round_, as_of, rng, introductions, Introduction, Round) -> None:
    """What happened to a past round: both sides' answers, introductions, ratings, signals."""
    sent = dt.datetime.combine(as_of, dt.time(9), tzinfo=dt.UTC)
    with transaction.atomic():
        Round.objects.filter(pk=round_.pk).update(status=Round.Status.SENT, sent=sent)
        pairs = list(round_.introductions.select_related("a__customer", "b__customer"))
        for intro in pairs:
            intro.a_mailed = intro.b_mailed = sent
            for side in ("a", "b"):
                accepted = rng.random() < 0.72
                setattr(intro, f"{side}_answer", "accepted" if accepted else "declined")
                setattr(intro, f"{side}_answered", sent + dt.timedelta(days=int(rng.integers(1, 6))))
            if intro.a_answer == intro.b_answer == "accepted":
                intro.status = Introduction.Status.INTRODUCED
                intro.introduced = max(intro.a_answered, intro.b_answered)
                if rng.random() < 0.7:
                    intro.follow_up_mailed = intro.introduced + dt.timedelta(days=14)
                    intro.met = intro.follow_up_mailed + dt.timedelta(days=1)
                    base = 2.5 + 2.5 * intro.score / max(p.score for p in pairs)
                    intro.a_rating = int(np.clip(round(base + rng.normal(0, 0.8)), 1, 5))
                    intro.b_rating = int(np.clip(round(base + rng.normal(0, 0.8)), 1, 5))
            else:
                intro.status = Introduction.Status.DECLINED
        Introduction.objects.bulk_update(pairs, [
            "a_mailed", "b_mailed", "a_answer", "b_answer", "a_answered", "b_answered", "status",
            "introduced", "follow_up_mailed", "met", "a_rating", "b_rating"], batch_size=500)
    events = []
    for intro in pairs:
        for side in ("a", "b"):
            member = intro.a if side == "a" else intro.b
            ext = member.customer.external_id
            events.append({"customer_id": ext, "kind": "event", "type": "connect.proposed", "time": sent,
                           "id": f"connect-proposed-{intro.pk}-{side}"})
            answer = getattr(intro, f"{side}_answer")
            events.append({"customer_id": ext, "kind": "event", "type": f"connect.{answer}",
                           "time": getattr(intro, f"{side}_answered"), "id": f"connect-{answer}-{intro.pk}-{side}"})
            rating = getattr(intro, f"{side}_rating")
            if rating:
                events.append({"customer_id": ext, "kind": "event", "type": "connect.met", "time": intro.met,
                               "value": float(rating), "id": f"connect-met-{intro.pk}-{side}"})
    from becoming.signals.actions import ingest_batch

    ingest_batch(round_.workspace, events)
