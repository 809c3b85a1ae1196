"""Demo Engage data: feedback from support and reviews, meetings with notes, two surveys."""

import datetime as dt

import numpy as np
from django.utils import timezone

from becoming.customers.models import Contact, Customer
from becoming.engage.actions.feedback import save_feedback
from becoming.engage.actions.surveys import add_question, self_assessment
from becoming.engage.actions.themes import discover_themes
from becoming.engage.models import Feedback, Invitation, Meeting, Response, Survey
from becoming.signals.actions import ingest_batch

from .voices import pick_topics, say

KINDS = np.array(["visit", "meeting", "call"])
NEXT_STEPS = ["Send the rollout plan", "Book a training session", "Share the SAP connector roadmap",
              "Introduce them to a peer plant", "Follow up on the sensor pilot", "Review alert thresholds"]


def build_engage(workspace, rng, m: np.ndarray, churn: np.ndarray, start: dt.date, report) -> None:
    customers = list(Customer.objects.filter(workspace=workspace).order_by("external_id"))
    contacts = {}
    for c in Contact.objects.filter(workspace=workspace).order_by("pk"):
        contacts.setdefault(c.customer_id, []).append(c)
    alive_until = [(start + dt.timedelta(days=int(d))) if d >= 0 else start + dt.timedelta(days=m.shape[1])
                   for d in churn]
    report(message="meetings")
    _meetings(workspace, rng, customers, contacts, m, alive_until, start)
    report(message="feedback")
    _feedback(workspace, rng, customers, m, alive_until, start)
    report(message="surveys")
    _surveys(workspace, rng, customers, contacts, m, churn)
    report(message="themes")
    discover_themes(workspace)


def _day(rng, start, until, days) -> tuple[int, dt.datetime]:
    last = min(days - 1, (until - start).days - 1)
    d = int(rng.integers(max(0, last - 365), max(1, last)))
    return d, timezone.make_aware(dt.datetime.combine(start + dt.timedelta(days=d), dt.time(int(rng.integers(8, 17)))))


def _meetings(workspace, rng, customers, contacts, m, alive_until, start) -> None:
    meetings, signals, notes = [], [], []
    for a, customer in enumerate(customers):
        for _ in range(rng.poisson(1.5 + 2 * m[a, -1])):
            d, when = _day(rng, start, alive_until[a], m.shape[1])
            kind = str(KINDS[rng.choice(3, p=[0.2, 0.5, 0.3])])
            topic = pick_topics(rng, m[a:a + 1, d])[0]
            # About a third of meetings have notes worth keeping as feedback.
            note = say(rng, topic) if rng.random() < 0.35 else ""
            meetings.append(Meeting(workspace=workspace, customer=customer, kind=kind, when=when,
                                    title=f"{kind.title()} with {customer.name}", notes=note,
                                    next_steps=NEXT_STEPS[rng.integers(len(NEXT_STEPS))]))
    Meeting.objects.bulk_create(meetings, batch_size=1000)
    for meeting in Meeting.objects.filter(workspace=workspace).select_related("customer"):
        signals.append({"customer_id": meeting.customer.external_id, "kind": "event",
                        "type": f"engage.{meeting.kind}", "time": meeting.when, "id": f"meeting-{meeting.pk}"})
        if meeting.notes:
            notes.append(Feedback(workspace=workspace, customer=meeting.customer, channel="meeting",
                                  text=meeting.notes, time=meeting.when, source_id=f"meeting-{meeting.pk}",
                                  meeting=meeting))
    for i in range(0, len(signals), 10000):
        ingest_batch(workspace, signals[i:i + 10000])
    save_feedback(workspace, notes)


def _feedback(workspace, rng, customers, m, alive_until, start) -> None:
    items = []
    for a, customer in enumerate(customers):
        for k in range(rng.poisson(0.6)):
            d, when = _day(rng, start, alive_until[a], m.shape[1])
            channel = ("support", "review")[int(rng.random() < 0.25)]
            items.append(Feedback(workspace=workspace, customer=customer, channel=channel, time=when,
                                  text=say(rng, pick_topics(rng, m[a:a + 1, d])[0]),
                                  source_id=f"{channel}-{customer.external_id}-{k}"))
    save_feedback(workspace, items)


def _surveys(workspace, rng, customers, contacts, m, churn) -> None:
    now = timezone.now()
    survey = self_assessment(workspace)
    survey.status = Survey.Status.OPEN
    survey.save(update_fields=["status"])
    questions = list(survey.questions.all())
    pulse = Survey.objects.create(workspace=workspace, title="What should we improve?", status=Survey.Status.OPEN)
    add_question(pulse, key="recommend", text="How likely are you to recommend Fieldwise to a peer?",
                 kind="scale_10", required=True)
    add_question(pulse, key="improve", text="What one thing should we improve?", kind="text")
    signals = []
    for a, customer in enumerate(customers):
        if churn[a] >= 0 or customer.pk not in contacts or rng.random() > 0.6:
            continue
        contact = contacts[customer.pk][0]
        for target in (survey, pulse):
            sent = now - dt.timedelta(days=int(rng.integers(5, 40)))
            inv = Invitation.objects.create(survey=target, contact=contact, sent=sent,
                                            expires=sent + dt.timedelta(days=30))
            if rng.random() > 0.5:
                continue
            answers = _answers(rng, target, questions, customer, m[a, -1])
            response = Response.objects.create(survey=target, invitation=inv, customer=customer,
                                               contact=contact, answers=answers,
                                               submitted=sent + dt.timedelta(days=int(rng.integers(0, 4))))
            signals += [{"customer_id": customer.external_id, "kind": "answer", "type": key,
                         "time": response.submitted, "value": float(v), "id": f"survey-{response.pk}-{key}"}
                        for key, v in answers.items() if not isinstance(v, str)]
            if "improve" in answers:
                save_feedback(workspace, [Feedback(
                    workspace=workspace, customer=customer, contact=contact, channel="survey",
                    text=answers["improve"], time=response.submitted, survey_response=response,
                    source_id=f"survey-{response.pk}-improve")])
    for i in range(0, len(signals), 10000):
        ingest_batch(workspace, signals[i:i + 10000])


def _answers(rng, survey, questions, customer, maturity) -> dict:
    if survey.self_assessment:
        out = {}
        for q in questions:
            measured = int(customer.stages.get(q.dimension, 0))
            # People tend to see themselves a step further than the data does.
            drift = rng.choice([-1, 0, 0, 0, 1, 1])
            out[q.key] = int(np.clip(measured + drift, 0, len(q.choices) - 1))
        return out
    answers = {"recommend": int(np.clip(round(4 + 6 * maturity + rng.normal(0, 1.5)), 0, 10))}
    if rng.random() < 0.7:
        answers["improve"] = say(rng, pick_topics(rng, np.array([maturity]))[0])
    return answers
