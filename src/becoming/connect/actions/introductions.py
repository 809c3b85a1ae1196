"""Double opt-in over email: send a reviewed round whole, answers by signed links, the
introduction when both accept, and a "did it help?" follow-up.

Commit order and resuming. Sending is a job: it marks the round *sending*, then mails each
side of each pair that has not been mailed, recording ``a_mailed``/``b_mailed`` in the same
database transaction as the send (the row is written, the message handed to the SMTP
server, then the transaction commits; a failed send rolls the mark back). A crash or an SMTP
error stops the job; running it again mails only the sides without a mark, so nobody gets
the proposal twice (the one window left is a kill between the server accepting a message
and the commit, a few milliseconds). Signals go to the store after the database, keyed by
introduction and side, so re-sending them is a no-op: ``connect.proposed`` when a side is
mailed, ``connect.accepted`` / ``connect.declined`` on an answer, ``connect.met`` (value =
the rating) when a side says how it went.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from becoming.signals.actions import ingest_batch

from ..models import Introduction, Round

SALT = "becoming.connect.introduction"
FOLLOW_UP_DAYS = getattr(settings, "CONNECT_FOLLOW_UP_DAYS", 14)


class LinkError(Exception):
    """A link that cannot be used; ``reason`` is shown to the person who followed it."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def token_for(intro: Introduction, side: str, purpose: str = "answer") -> str:
    return signing.dumps({"i": intro.pk, "s": side, "p": purpose}, salt=SALT, compress=True)


def from_token(token: str, purpose: str = "answer") -> tuple[Introduction, str]:
    """(introduction, side) of a signed link, or LinkError saying why it cannot be used."""
    try:
        data = signing.loads(token, salt=SALT, max_age=None)
    except signing.BadSignature:
        raise LinkError("This link is not valid. Please use the link from your email.") from None
    if not isinstance(data, dict) or data.get("s") not in ("a", "b") or data.get("p") != purpose:
        raise LinkError("This link is not valid. Please use the link from your email.")
    intro = (Introduction.objects.select_related("round", "a__customer", "b__customer", "workspace")
             .filter(pk=int(data.get("i") or 0)).first())
    if intro is None or intro.status == Introduction.Status.DROPPED:
        raise LinkError("This introduction is no longer available.")
    days = intro.round.link_days if purpose == "answer" else 60
    try:
        signing.loads(token, salt=SALT, max_age=dt.timedelta(days=days))
    except signing.SignatureExpired:
        raise LinkError("This link has expired. Write to us if you would still like to meet.") from None
    return intro, data["s"]


def _contact_email(member) -> tuple[str, str]:
    contact = member.customer.contacts.exclude(email="").order_by("id").first()
    return (contact.email, contact.name or member.customer.display_name) if contact else ("", "")


def _mail(connection, subject: str, template: str, context: dict, to: list[str]) -> None:
    text = render_to_string(f"connect/email/{template}.txt", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to, connection=connection)
    message.attach_alternative(render_to_string(f"connect/email/{template}.html", context), "text/html")
    message.send()


def _signal(workspace, intro: Introduction, side: str, kind: str, when, value=None) -> None:
    member = intro.a if side == "a" else intro.b
    event = {"customer_id": member.customer.external_id, "kind": "event", "type": f"connect.{kind}",
             "time": when, "id": f"connect-{kind}-{intro.pk}-{side}"}
    if value is not None:
        event["value"] = float(value)
    ingest_batch(workspace, [event])


def start_sending(round_: Round, user=None) -> Round:
    """Check a reviewed round can go out and mark it sending (the job does the mailing)."""
    if round_.status == Round.Status.SENT:
        raise ValidationError("this round was already sent")
    pairs = round_.introductions.exclude(status=Introduction.Status.DROPPED)
    if not pairs.exists():
        raise ValidationError("every pair of this round was dropped: nothing to send")
    missing = [m.customer.display_name for p in pairs.select_related("a__customer", "b__customer")
               for m in (p.a, p.b) if not _contact_email(m)[0]]
    if missing:
        raise ValidationError(f"no contact with an email for {', '.join(sorted(set(missing))[:5])}"
                              f"{' and others' if len(set(missing)) > 5 else ''}: add one or drop the pair")
    round_.status = Round.Status.SENDING
    round_.save(update_fields=["status"])
    return round_


def send_round(round_: Round, base_url: str, progress=None, connection=None) -> dict:
    """Mail each side of every kept pair its proposal (once); resumable, see the docstring."""
    report = progress or (lambda *a, **k: None)
    if round_.status == Round.Status.DRAFT:
        start_sending(round_)
    pairs = list(round_.introductions.exclude(status=Introduction.Status.DROPPED)
                 .select_related("a__customer", "b__customer"))
    connection = connection or get_connection()
    mailed = 0
    base = base_url.rstrip("/")
    report(0, total=len(pairs), message="mailing proposals")
    for done, intro in enumerate(pairs, start=1):
        for side in ("a", "b"):
            if getattr(intro, f"{side}_mailed"):
                continue
            me, other = (intro.a, intro.b) if side == "a" else (intro.b, intro.a)
            email, name = _contact_email(me)
            link = f"{base}/connect/i/{token_for(intro, side)}/"
            with transaction.atomic():
                now = timezone.now()
                Introduction.objects.filter(pk=intro.pk).update(**{f"{side}_mailed": now})
                _mail(connection, f"An introduction: {other.customer.display_name}", "proposal",
                      {"intro": intro, "me": me, "other": other, "name": name, "link": link,
                       "days": round_.link_days, "workspace": round_.workspace}, [email])
            setattr(intro, f"{side}_mailed", now)
            mailed += 1
            _signal(round_.workspace, intro, side, "proposed", now)
        if intro.status == Introduction.Status.PROPOSED:
            Introduction.objects.filter(pk=intro.pk).update(status=Introduction.Status.SENT)
        report(done, total=len(pairs), message="mailing proposals")
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.SENT, sent=round_.sent or timezone.now())
    round_.refresh_from_db()
    return {"pairs": len(pairs), "mailed": mailed}


def send_round_job(job, progress, round_id: int, base_url: str) -> dict:
    round_ = Round.objects.get(pk=round_id, workspace=job.workspace)
    return send_round(round_, base_url, progress)


def queue_send(round_: Round, base_url: str, user=None):
    from becoming.jobs.actions import enqueue

    start_sending(round_, user)
    return enqueue(round_.workspace, "connect_send_round", {"round_id": round_.pk, "base_url": base_url},
                   user=user)


def answer(token: str, accept: bool, base_url: str, connection=None) -> Introduction:
    """One side accepts or declines; when both accept, one introduction email goes to both."""
    intro, side = from_token(token)
    if intro.status not in (Introduction.Status.SENT, Introduction.Status.INTRODUCED,
                            Introduction.Status.DECLINED):
        raise LinkError("This introduction has not been sent yet.")
    if getattr(intro, f"{side}_answer"):
        return intro  # answered already: following the link again changes nothing
    now = timezone.now()
    value = Introduction.Answer.ACCEPTED if accept else Introduction.Answer.DECLINED
    with transaction.atomic():
        intro = Introduction.objects.select_for_update().select_related(
            "a__customer", "b__customer", "round", "workspace").get(pk=intro.pk)
        if getattr(intro, f"{side}_answer"):
            return intro
        setattr(intro, f"{side}_answer", value)
        setattr(intro, f"{side}_answered", now)
        if not accept:
            intro.status = Introduction.Status.DECLINED
        elif intro.a_answer == intro.b_answer == Introduction.Answer.ACCEPTED:
            intro.status = Introduction.Status.INTRODUCED
            intro.introduced = now
            emails = [_contact_email(intro.a), _contact_email(intro.b)]
            _mail(connection or get_connection(),
                  f"Meet {intro.a.customer.display_name} and {intro.b.customer.display_name}",
                  "introduction", {"intro": intro, "a": intro.a, "b": intro.b, "a_contact": emails[0],
                                   "b_contact": emails[1], "workspace": intro.workspace},
                  [emails[0][0], emails[1][0]])
        intro.save()
    _signal(intro.workspace, intro, side, "accepted" if accept else "declined", now)
    return intro


def send_follow_ups(workspace, base_url: str, *, now=None, connection=None) -> int:
    """Ask both sides of introductions made FOLLOW_UP_DAYS ago "did it help?" (once)."""
    now = now or timezone.now()
    due = (Introduction.objects.filter(workspace=workspace, status=Introduction.Status.INTRODUCED,
                                       follow_up_mailed__isnull=True,
                                       introduced__lte=now - dt.timedelta(days=FOLLOW_UP_DAYS))
           .select_related("a__customer", "b__customer"))
    connection = connection or get_connection()
    sent = 0
    for intro in due:
        with transaction.atomic():
            Introduction.objects.filter(pk=intro.pk).update(follow_up_mailed=now)
            for side, me, other in (("a", intro.a, intro.b), ("b", intro.b, intro.a)):
                email, name = _contact_email(me)
                link = f"{base_url.rstrip('/')}/connect/rate/{token_for(intro, side, 'rate')}/"
                _mail(connection, f"Did meeting {other.customer.display_name} help?", "follow_up",
                      {"intro": intro, "other": other, "name": name, "link": link}, [email])
        sent += 1
    return sent


def rate(token: str, rating: int) -> Introduction:
    """A side's answer to "did it help?" (1–5): the ``connect.met`` signal, value = rating."""
    intro, side = from_token(token, "rate")
    if not 1 <= int(rating) <= 5:
        raise ValidationError("rating: from 1 (not at all) to 5 (very much)")
    if intro.status != Introduction.Status.INTRODUCED:
        raise LinkError("This introduction was not made, so there is nothing to rate.")
    now = timezone.now()
    with transaction.atomic():
        setattr(intro, f"{side}_rating", int(rating))
        intro.met = intro.met or now
        intro.save(update_fields=[f"{side}_rating", "met"])
    _signal(intro.workspace, intro, side, "met", now, value=int(rating))
    return intro


def answer_as_contact(contact, intro_id: int, accept: bool, base_url: str) -> Introduction:
    """The portal's accept/decline: only for an introduction of the contact's own customer."""
    intro = (Introduction.objects.select_related("a", "b")
             .filter(workspace_id=contact.workspace_id, pk=intro_id).first())
    if intro is None or contact.customer_id not in (intro.a.customer_id, intro.b.customer_id):
        raise LinkError("This introduction is not yours to answer.")
    side = "a" if intro.a.customer_id == contact.customer_id else "b"
    return answer(token_for(intro, side), accept, base_url)


def follow_ups_job(job, progress, base_url: str) -> dict:
    return {"asked": send_follow_ups(job.workspace, base_url)}


def queue_follow_ups(workspace, base_url: str, user=None):
    from becoming.jobs.actions import enqueue

    return enqueue(workspace, "connect_follow_ups", {"base_url": base_url}, user=user)
