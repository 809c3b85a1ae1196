"""Member profiles for the matching engine, from what Becoming knows about each customer.

- industry and competitor keys: customer attributes (checked: an unknown name is an error);
- challenges: the ``--text-attribute`` values, the member's "what we are working on" and the
  titles of the feedback themes its feedback falls in, embedded with the real model;
- reading: the items of the customer's ``inform.*`` signals (read from the signal store by
  type prefix, so Connect does not depend on Inform's code);
- stages: the latest assessment (``Customer.stages``), the target of every dimension, and
  when the member reached its stage (``StageChange``), for "made that step in March".
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
from django.core.exceptions import ValidationError

from becoming.customers.models import Attribute

from ..matching import Profiles

READ_KEYS = ("item", "item_id", "content", "content_id", "article", "url")


def check_attributes(workspace, names, option: str) -> list[str]:
    names = [n for n in (names or []) if n]
    if not names:
        return []
    known = set(Attribute.objects.filter(workspace=workspace).values_list("name", flat=True))
    for name in names:
        if name not in known:
            listed = ", ".join(sorted(known)) or "none yet"
            raise ValidationError(f"{option}: unknown attribute {name!r}; the workspace's "
                                  f"attributes are: {listed}")
    return names


def _value(customer, name: str):
    value = (customer.attributes or {}).get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return str(value).strip()


def reading_of(workspace, customer_ids: list[int], as_of: dt.date | None = None) -> dict[int, set]:
    """{customer pk: items read}, from ``inform.*`` signals in the store."""
    from becoming.signals.actions import store_for

    store = store_for(workspace)
    if not store.files() or not customer_ids:
        return {}
    con = store._connect()
    sql = "SELECT customer_id, type, value, properties FROM signals WHERE type LIKE 'inform.%'"
    params: list = []
    if as_of:
        sql += " AND time < ?"
        params.append(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()))
    wanted = set(customer_ids)
    out: dict[int, set] = {}
    for customer, kind, value, properties in con.execute(sql, params).fetchall():
        if customer not in wanted:
            continue
        item = None
        if properties:
            try:
                props = json.loads(properties)
            except ValueError:
                props = {}
            if isinstance(props, dict):
                item = next((props[k] for k in READ_KEYS if props.get(k) not in (None, "")), None)
        if item is None and value is not None:
            item = f"{kind}:{value:g}"
        if item is not None:
            out.setdefault(customer, set()).add(str(item))
    return out


def theme_titles(workspace, customer_ids: list[int]) -> dict[int, list[str]]:
    from becoming.engage.models import Feedback

    out: dict[int, list[str]] = {}
    rows = (Feedback.objects.filter(workspace=workspace, customer_id__in=customer_ids,
                                    theme__isnull=False)
            .values_list("customer_id", "theme__name", "theme__label").distinct())
    for customer, name, label in rows:
        title = name or label
        if title and title not in out.setdefault(customer, []):
            out[customer].append(title)
    return out


def build_profiles(workspace, members, *, industry_attribute: str | None = None,
                   exclude_same=(), text_attributes=(), as_of: dt.date | None = None,
                   capacity: int | None = None, embed=True) -> Profiles:
    """The engine's view of ``members`` (a list of Member with their customers)."""
    from becoming.assessments.models import StageChange
    from becoming.transformation.actions import current_model

    customers = [m.customer for m in members]
    pks = [c.pk for c in customers]
    themes = theme_titles(workspace, pks)
    texts = []
    for member, customer in zip(members, customers):
        parts = [_value(customer, a) for a in text_attributes]
        parts.append(member.working_on or None)
        parts.extend(themes.get(customer.pk, []))
        texts.append(". ".join(p for p in parts if p))
    vectors = embeddings(members, texts) if embed else np.zeros((len(members), 384), np.float32)
    reading = reading_of(workspace, pks, as_of)
    model = current_model(workspace)
    dims = list(model.dimensions) if model else []
    stages = np.full((len(members), len(dims)), np.nan)
    for i, customer in enumerate(customers):
        for d, dim in enumerate(dims):
            value = (customer.stages or {}).get(dim.key)
            if value is not None:
                stages[i, d] = float(value)
    targets = np.array([next((k for k, s in enumerate(dim.stages) if s.key == dim.target),
                             len(dim.stages) - 1) for dim in dims], dtype=float)
    step_dates: dict[tuple[int, int], dt.date] = {}
    if dims:
        index = {pk: i for i, pk in enumerate(pks)}
        dim_index = {dim.key: d for d, dim in enumerate(dims)}
        changes = StageChange.objects.filter(workspace=workspace, customer_id__in=pks)
        if as_of:
            changes = changes.filter(as_of__lte=as_of)
        for change in changes.order_by("as_of"):
            i, found = index[change.customer_id], dim_index.get(change.dimension)
            if found is None:
                continue
            d = found
            if change.to_index > change.from_index and change.to_index == stages[i, d]:
                step_dates[(i, d)] = change.as_of
    return Profiles(
        ids=[c.external_id for c in customers],
        names=[c.display_name for c in customers],
        text=vectors.astype(np.float32),
        industry=[_value(c, industry_attribute) for c in customers] if industry_attribute else None,
        competitor_key=[_key(c, exclude_same) for c in customers] if exclude_same else None,
        reading=[frozenset(reading.get(pk, ())) for pk in pks] if reading else None,
        stages=stages, targets=targets, dimensions=[d.name for d in dims],
        stage_names=[[s.name for s in d.stages] for d in dims], step_dates=step_dates,
        capacity=np.array([capacity if capacity is not None else m.capacity for m in members]),
        texts=texts,
    )


def embeddings(members, texts: list[str]) -> np.ndarray:
    """The challenge embeddings, from the members' cache where their text is unchanged.

    Only the cache columns of members whose text changed are written (a cache, not a rule:
    losing it costs time, never correctness)."""
    import hashlib

    from ..models import Member

    out = np.zeros((len(members), 384), dtype=np.float32)
    digests = [hashlib.sha256(t.encode()).hexdigest() if t else "" for t in texts]
    stale = []
    for i, (member, digest) in enumerate(zip(members, digests)):
        if not digest:
            continue
        if member.embedded_text == digest and member.embedding:
            out[i] = np.frombuffer(bytes(member.embedding), dtype=np.float32)
        else:
            stale.append(i)
    if stale:
        from becoming.themes import get_embedder

        fresh = get_embedder().embed([texts[i] for i in stale])
        for row, i in enumerate(stale):
            out[i] = fresh[row]
            members[i].embedding = fresh[row].astype(np.float32).tobytes()
            members[i].embedded_text = digests[i]
        Member.objects.bulk_update([members[i] for i in stale], ["embedding", "embedded_text"],
                                   batch_size=500)
    return out


def _key(customer, names) -> tuple | None:
    values = tuple(_value(customer, n) for n in names)
    return None if any(v is None for v in values) else values
