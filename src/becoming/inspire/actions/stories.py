"""Stories: real transitions found in the stage history, drafted as cards staff edit and
publish; and the consent that lets a story name its customer.

A transition is a recorded move up on a dimension (``assessments.StageChange``). For each:
``days_taken`` is the time at the stage it left (from the move into that stage, or from the
first snapshot when the history starts there, to the move); ``signals_before`` are the signal
types that rose: more of them in the WINDOW days before the move than in the WINDOW days
before those (meetings, reading, introductions, product events; outcomes aside).

A story names its customer only with that customer's recorded consent. Otherwise it says
who they are in general words ("a 200-person metals company"). Drafts hold the placeholder
``{customer}``, filled in when shown, so withdrawing consent anonymises published stories.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import duckdb
import pyarrow as pa
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from becoming.assessments.models import Snapshot, StageChange
from becoming.customers.models import Customer
from becoming.signals.actions import store_for

from ..models import Consent, Story

WINDOW = 90
PLACEHOLDER = "{customer}"
COLUMNS = ["customer_id", "dimension", "from_stage", "to_stage", "moved_on", "days_taken",
           "signals_before", "consent"]
SIZE_WORDS = ("employees", "employee", "seats", "seat", "headcount", "size", "users")
KIND_WORDS = ("industry", "sector", "vertical", "segment")


# -- finding transitions ----------------------------------------------------------------------

def transitions(workspace, since: dt.date | None = None) -> list[dict[str, Any]]:
    """Every move up since ``since``, oldest first, with days_taken and signals_before."""
    qs = (StageChange.objects.filter(workspace=workspace, to_index__gt=F("from_index"))
          .select_related("customer").order_by("as_of", "customer_id", "dimension"))
    if since:
        qs = qs.filter(as_of__gte=since)
    moves = list(qs)
    if not moves:
        return []
    first = (Snapshot.objects.filter(workspace=workspace).order_by("as_of")
             .values_list("as_of", flat=True).first())
    entered: dict[tuple[int, str], list[tuple[dt.date, int]]] = {}
    for change in (StageChange.objects.filter(workspace=workspace)
                   .order_by("as_of").values_list("customer_id", "dimension", "as_of", "to_index")):
        entered.setdefault((change[0], change[1]), []).append((change[2], change[3]))
    rose = signals_that_rose(workspace, [(m.customer_id, m.as_of) for m in moves])
    consent = set(Consent.objects.filter(workspace=workspace, named=True).values_list("customer_id", flat=True))
    out = []
    for m in moves:
        into = [d for d, idx in entered.get((m.customer_id, m.dimension), [])
                if d < m.as_of and idx == m.from_index]
        start = into[-1] if into else first
        out.append({"customer": m.customer, "customer_pk": m.customer_id,
                    "customer_id": m.customer.external_id, "dimension": m.dimension,
                    "from_stage": m.from_stage, "to_stage": m.to_stage,
                    "from_index": m.from_index, "to_index": m.to_index, "moved_on": m.as_of,
                    "days_taken": (m.as_of - start).days if start else None,
                    "signals_before": rose.get((m.customer_id, m.as_of), []),
                    "consent": m.customer_id in consent})
    return out


def signals_that_rose(workspace, moves: list[tuple[int, dt.date]]) -> dict[tuple[int, dt.date], list[str]]:
    """Per (customer pk, move date): the signal types more frequent in the WINDOW days before
    the move than in the WINDOW days before that, the strongest rise first."""
    if not moves:
        return {}
    con = duckdb.connect()
    store = store_for(workspace)
    if not store.files():
        return {}
    store.register(con, "signals")
    con.register("moves", pa.table({"customer_id": pa.array([m[0] for m in moves], pa.int64()),
                                    "moved_on": pa.array([m[1] for m in moves], pa.date32())}))
    rows = con.execute(f"""
        WITH m AS (SELECT DISTINCT customer_id, moved_on FROM moves)
        SELECT m.customer_id, m.moved_on, s.type,
               count(*) FILTER (WHERE s.time >= m.moved_on - INTERVAL {WINDOW} DAY) AS recent,
               count(*) FILTER (WHERE s.time < m.moved_on - INTERVAL {WINDOW} DAY) AS earlier
        FROM m JOIN signals s ON s.customer_id = m.customer_id
         AND s.time >= m.moved_on - INTERVAL {2 * WINDOW} DAY AND s.time < m.moved_on
        WHERE s.kind <> 'outcome'
        GROUP BY 1, 2, 3
        HAVING count(*) FILTER (WHERE s.time >= m.moved_on - INTERVAL {WINDOW} DAY)
             > count(*) FILTER (WHERE s.time < m.moved_on - INTERVAL {WINDOW} DAY)
        ORDER BY 1, 2, (recent + 1.0) / (earlier + 1.0) DESC, 3
    """).fetchall()
    out: dict[tuple[int, dt.date], list[str]] = {}
    for cid, moved_on, type_, _recent, _earlier in rows:
        out.setdefault((cid, moved_on), []).append(type_)
    return out


def story_rows(workspace, since: dt.date | None = None) -> pa.Table:
    """The ``becoming inspire stories`` table."""
    found = transitions(workspace, since)
    return pa.table({
        "customer_id": pa.array([t["customer_id"] for t in found], pa.string()),
        "dimension": pa.array([t["dimension"] for t in found], pa.string()),
        "from_stage": pa.array([t["from_stage"] for t in found], pa.string()),
        "to_stage": pa.array([t["to_stage"] for t in found], pa.string()),
        "moved_on": pa.array([t["moved_on"] for t in found], pa.date32()),
        "days_taken": pa.array([t["days_taken"] for t in found], pa.int64()),
        "signals_before": pa.array(["; ".join(t["signals_before"]) for t in found], pa.string()),
        "consent": pa.array(["yes" if t["consent"] else "no" for t in found], pa.string()),
    })


# -- who a story is about ---------------------------------------------------------------------

def anonymous_name(customer: Customer) -> str:
    """General words for a customer: its size and kind from its attributes, never its name."""
    attrs = {k.lower(): v for k, v in (customer.attributes or {}).items()}
    size = next((attrs[k] for k in SIZE_WORDS if isinstance(attrs.get(k), (int, float))), None)
    kind = next((attrs[k] for k in KIND_WORDS if isinstance(attrs.get(k), str) and attrs[k]), None)
    words = []
    if size is not None:
        rounded = int(round(size, -2)) if size >= 100 else int(round(size, -1)) or int(size)
        unit = "seat" if "seats" in attrs or "seat" in attrs else "person"
        words.append(f"{rounded:,}-{unit}")
    if kind:
        words.append(kind.lower() if kind.isupper() is False and len(kind) > 3 else kind)
    words.append("company" if customer.kind == Customer.Kind.COMPANY else "customer")
    text = " ".join(words)
    return ("an " if text[:1].lower() in "aeiou" else "a ") + text


def named(customer: Customer) -> bool:
    return Consent.objects.filter(customer=customer, named=True).exists()


def subject(customer: Customer, consented: bool | None = None) -> str:
    """How a story refers to its customer: the name with consent, general words without."""
    consented = named(customer) if consented is None else consented
    return customer.display_name if consented else anonymous_name(customer)


def rendered(story: Story, consented: bool | None = None) -> dict[str, str]:
    """The story's title and text with its customer filled in (named only with consent)."""
    who = subject(story.customer, consented)
    cap = who[:1].upper() + who[1:]

    def fill(text: str) -> str:
        text = re.sub(r"(^|[.!?]\s+)\{customer\}", lambda m: m.group(1) + cap, text)
        return text.replace(PLACEHOLDER, who)

    return {"title": fill(story.title), "body": fill(story.body)}


def set_consent(customer: Customer, named_: bool, user=None, note: str = "") -> Consent:
    consent, _ = Consent.objects.update_or_create(
        customer=customer, defaults={"workspace": customer.workspace, "named": named_,
                                     "recorded_by": user, "note": note[:300]})
    return consent


# -- drafting, editing, publishing ------------------------------------------------------------

SIGNAL_WORDS = {"engage.meeting": "meetings with us", "engage.survey_response": "survey answers",
                "portal.visit": "visits to the portal"}


def _signal_words(types: list[str]) -> str:
    words = [SIGNAL_WORDS.get(t, t.replace("_", " ").replace(".", " ")) for t in types[:4]]
    if not words:
        return ""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def draft_text(t: dict[str, Any], dim, current: int | None) -> tuple[str, str]:
    from_name = dim.stages[t["from_index"]].name if dim else t["from_stage"]
    to_name = dim.stages[t["to_index"]].name if dim else t["to_stage"]
    title = f"{PLACEHOLDER} moved from {from_name} to {to_name}"
    parts = [f"On {dim.name if dim else t['dimension']}, {PLACEHOLDER} was at {from_name}."]
    rose = _signal_words(t["signals_before"])
    if rose:
        parts.append(f"In the months before the move, {rose} rose.")
    if t["days_taken"] is not None:
        parts.append(f"The step to {to_name} took {t['days_taken']} days, reached on "
                     f"{t['moved_on']:%-d %B %Y}.")
    if dim and current is not None and current != t["to_index"] and 0 <= current < len(dim.stages):
        parts.append(f"Today they are at {dim.stages[current].name}.")
    return title, " ".join(parts)


def draft_stories(workspace, since: dt.date | None = None) -> int:
    """A draft story for every move up not drafted yet; returns how many were added."""
    from becoming.transformation.actions import current_model

    model = current_model(workspace)
    dims = {d.key: d for d in model.dimensions} if model else {}
    existing = set(Story.objects.filter(workspace=workspace).values_list("customer_id", "dimension", "moved_on"))
    new = []
    for t in transitions(workspace, since):
        if (t["customer_pk"], t["dimension"], t["moved_on"]) in existing:
            continue
        dim = dims.get(t["dimension"])
        title, body = draft_text(t, dim, (t["customer"].stages or {}).get(t["dimension"]))
        new.append(Story(workspace=workspace, customer=t["customer"], dimension=t["dimension"],
                         from_stage=t["from_stage"], to_stage=t["to_stage"], moved_on=t["moved_on"],
                         days_taken=t["days_taken"], signals_before=t["signals_before"],
                         title=title[:200], body=body))
    with transaction.atomic():
        Story.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def draft_stories_job(job, progress, since=None) -> dict[str, Any]:
    progress(0, total=1, message="finding transitions")
    return {"drafted": draft_stories(job.workspace, dt.date.fromisoformat(since) if since else None)}


def story_of(workspace, pk) -> Story:
    story = Story.objects.select_related("customer").filter(workspace=workspace, pk=pk).first()
    if story is None:
        raise ValidationError("no such story in this workspace")
    return story


def edit_story(story: Story, *, title: str | None = None, body: str | None = None,
               status: str | None = None) -> Story:
    """Staff edit a story and publish or unpublish it. A story that spells out its customer's
    name cannot be published without that customer's consent."""
    if title is not None:
        if not title.strip():
            raise ValidationError("title: a story needs a title")
        story.title = title.strip()[:200]
    if body is not None:
        story.body = body.strip()
    if status is not None:
        if status not in Story.Status.values:
            raise ValidationError(f"status: one of {', '.join(Story.Status.values)}")
        if status == Story.Status.PUBLISHED:
            name = story.customer.name.strip().lower()
            text = f"{story.title} {story.body}".lower()
            if name and name in text and not named(story.customer):
                raise ValidationError(
                    f"this story names {story.customer.name}, who has not consented to be named: "
                    f"write {PLACEHOLDER} instead, or record their consent first")
            if story.status != Story.Status.PUBLISHED:
                story.published_on = timezone.now()
        story.status = status
    story.save()
    return story


def stories_list(workspace, status: str = ""):
    qs = Story.objects.filter(workspace=workspace).select_related("customer")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-moved_on", "customer__external_id", "dimension")


def published_for(contact, limit: int = 5) -> list[dict[str, Any]]:
    """The newest published stories, to show a contact: peers are anonymised unless they
    consented to be named."""
    stories = list(Story.objects.filter(workspace=contact.workspace, status=Story.Status.PUBLISHED)
                   .select_related("customer").order_by("-published_on", "-moved_on")[:50])
    consent = set(Consent.objects.filter(workspace=contact.workspace, named=True)
                  .values_list("customer_id", flat=True))
    return [{"own": s.customer_id == contact.customer_id, **rendered(s, s.customer_id in consent),
             "moved_on": s.moved_on, "days_taken": s.days_taken} for s in stories[:limit]]


def consented_ids(workspace) -> set[int]:
    return set(Consent.objects.filter(workspace=workspace, named=True).values_list("customer_id", flat=True))


def counts(workspace) -> dict[str, int]:
    from django.db.models import Count

    found = dict(Story.objects.filter(workspace=workspace).values_list("status").annotate(n=Count("id")))
    return {s: found.get(s, 0) for s in Story.Status.values}
