"""The community forum: topics tied to dimensions and themes, threads, replies, moderation.

A member's post is stored, then becomes feedback (engage's ``add_feedback``, channel
"community", so theme discovery and the wants-and-needs board see it) and a ``connect.post``
signal. Order: the post and its feedback commit together; the signal goes to the store last,
keyed by the post, so a retry adds nothing twice. Staff posts are neither feedback nor signals.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from becoming.signals.actions import ingest_batch

from ..models import Ban, Member, Post, Thread, Topic

MAX_BODY = 10_000


def topics(workspace):
    return Topic.objects.filter(workspace=workspace)


def add_topic(workspace, title: str, *, description: str = "", dimension: str = "",
              theme_key: str = "") -> Topic:
    title = title.strip()
    if not title:
        raise ValidationError("title: a topic needs a title")
    return Topic.objects.create(workspace=workspace, title=title[:200], description=description,
                                dimension=dimension[:100], theme_key=theme_key[:20],
                                order=topics(workspace).count())


def _check_author(workspace, contact=None, staff=None) -> None:
    if (contact is None) == (staff is None):
        raise ValueError("a post has one author: a contact or a staff user")
    if contact is not None:
        if contact.workspace_id != workspace.pk:
            raise ValidationError("contact: not in this workspace")
        if not Member.objects.filter(workspace=workspace, customer_id=contact.customer_id,
                                     opted_in=True).exists():
            raise ValidationError("only members of the community can post: join it first")
        if Ban.objects.filter(workspace=workspace, contact=contact).exists():
            raise ValidationError("you can no longer post in this forum")


def _body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError("body: write something first")
    if len(body) > MAX_BODY:
        raise ValidationError(f"body: at most {MAX_BODY:,} characters")
    return body


def start_thread(topic: Topic, title: str, body: str, *, contact=None, staff=None,
                 connection=None, when=None) -> Thread:
    workspace = topic.workspace
    _check_author(workspace, contact, staff)
    title = title.strip()
    if not title:
        raise ValidationError("title: a thread needs a title")
    body = _body(body)
    now = when or timezone.now()
    with transaction.atomic():
        thread = Thread.objects.create(workspace=workspace, topic=topic, title=title[:200],
                                       created=now, last_post=now)
        post = _save_post(thread, body, contact, staff, now)
    _after(post, connection)
    return thread


def reply(thread: Thread, body: str, *, contact=None, staff=None, connection=None, when=None) -> Post:
    workspace = thread.workspace
    _check_author(workspace, contact, staff)
    if thread.locked and contact is not None:
        raise ValidationError("this thread is locked: replies are closed")
    if thread.hidden and contact is not None:
        raise ValidationError("this thread is no longer available")
    body = _body(body)
    now = when or timezone.now()
    with transaction.atomic():
        post = _save_post(thread, body, contact, staff, now)
        Thread.objects.filter(pk=thread.pk).update(last_post=now)
    _after(post, connection)
    return post


def _save_post(thread: Thread, body: str, contact, staff, now) -> Post:
    post = Post.objects.create(workspace=thread.workspace, thread=thread, contact=contact,
                               staff=staff, body=body, created=now)
    if contact is not None:
        from becoming.engage.actions.feedback import add_feedback

        add_feedback(thread.workspace, f"{thread.title}: {body}" if thread.posts.count() == 1 else body,
                     customer=contact.customer, contact=contact, channel="community", time=now,
                     source_id=f"connect-post-{post.pk}")
    return post


def _after(post: Post, connection=None) -> None:
    if post.contact is not None:
        ingest_batch(post.workspace, [{
            "customer_id": post.contact.customer.external_id, "kind": "event", "type": "connect.post",
            "time": post.created, "id": f"connect-post-{post.pk}"}])
    notify(post, connection)


def notify(post: Post, connection=None) -> int:
    """Mail everyone else who posted in the thread (contacts with an email)."""
    thread = post.thread
    others = (Post.objects.filter(thread=thread, contact__isnull=False).exclude(contact__email="")
              .exclude(contact=post.contact).values_list("contact__email", flat=True).distinct())
    emails = sorted(set(others))
    if not emails:
        return 0
    connection = connection or get_connection()
    author = post.contact.name if post.contact else "The team"
    context = {"thread": thread, "post": post, "author": author}
    for email in emails:
        message = EmailMultiAlternatives(f"New reply: {thread.title}",
                                         render_to_string("connect/email/reply.txt", context),
                                         settings.DEFAULT_FROM_EMAIL, [email], connection=connection)
        message.send()
    return len(emails)


def moderate(target, action: str, *, reason: str = ""):
    """hide / show a post or a thread, lock / unlock a thread, ban / unban a post's author."""
    if isinstance(target, Post):
        if action in ("hide", "show"):
            target.state = Post.State.HIDDEN if action == "hide" else Post.State.VISIBLE
            target.save(update_fields=["state"])
            return target
        if action in ("ban", "unban"):
            if target.contact is None:
                raise ValidationError("staff posts have no author to ban")
            if action == "ban":
                Ban.objects.get_or_create(workspace=target.workspace, contact=target.contact,
                                          defaults={"reason": reason[:300]})
            else:
                Ban.objects.filter(workspace=target.workspace, contact=target.contact).delete()
            return target
    if isinstance(target, Thread) and action in ("hide", "show", "lock", "unlock"):
        field = "hidden" if action in ("hide", "show") else "locked"
        setattr(target, field, action in ("hide", "lock"))
        target.save(update_fields=[field])
        return target
    raise ValidationError(f"action: {action!r} cannot be done to this")


def threads(workspace, *, topic: Topic | None = None, q: str = "", members_only: bool = False):
    """Threads newest activity first; ``q`` searches titles and post bodies; members see no
    hidden threads."""
    qs = Thread.objects.filter(workspace=workspace).select_related("topic")
    if topic is not None:
        qs = qs.filter(topic=topic)
    if members_only:
        qs = qs.filter(hidden=False)
    q = q.strip()
    if q:
        visible = Q(posts__state=Post.State.VISIBLE) if members_only else Q()
        qs = qs.filter(Q(title__icontains=q) | (Q(posts__body__icontains=q) & visible)).distinct()
    return qs.order_by("-last_post", "-id")


def posts(thread: Thread, *, members_only: bool = False):
    qs = thread.posts.select_related("contact__customer", "staff")
    return qs.filter(state=Post.State.VISIBLE) if members_only else qs
