"""Peers: where a customer stands among customers like them, per dimension.

A peer group is the customers sharing the values of the chosen attributes (e.g. Industry and
Plan). A group smaller than ``min_peers`` is too small to compare with: its customers are
compared with the whole workspace instead, and the group reads ``all``.

percentile = 100 × (peers strictly below this customer's stage + ½ × peers at the same stage,
this customer included) / peers; ``peers`` counts the group including this customer;
``peers_ahead`` counts peers at a higher stage.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from django.core.exceptions import ValidationError

from becoming.assessments.actions import latest_snapshot
from becoming.customers.models import Attribute, Customer

MIN_PEERS = 30
ALL = "all"
NONE = "(none)"
COLUMNS = ["customer_id", "dimension", "stage_index", "peer_group", "peers", "percentile", "peers_ahead"]


@dataclass
class Standing:
    """The latest snapshot's stages of every customer, with their peer-group labels."""

    snapshot: Any
    model: Any
    frame: pd.DataFrame  # customer_pk, external_id, group, stage__<dim>...
    attributes: list[str]


def check_attributes(workspace, attributes) -> list[str]:
    """The peer attributes, each an attribute of the workspace's customers, or ValidationError."""
    names = [a for a in (attributes or []) if a]
    known = set(Attribute.objects.filter(workspace=workspace).values_list("name", flat=True))
    for name in names:
        if name not in known:
            listed = ", ".join(sorted(known)) or "none yet"
            raise ValidationError(f"peer attribute {name!r}: no customer attribute of that name in "
                                  f"this workspace (its attributes: {listed})")
    if len(set(names)) != len(names):
        raise ValidationError("peer attribute: each attribute once")
    return names


def _plain(value) -> str:
    if value is None or value == "":
        return NONE
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def group_label(attributes: list[str], values) -> str:
    if not attributes:
        return ALL
    return ", ".join(f"{a}={v}" for a, v in zip(attributes, values))


def standing(workspace, attributes=(), as_of: dt.date | None = None) -> Standing:
    """Every assessed customer's stages in the latest snapshot on or before ``as_of``."""
    attributes = check_attributes(workspace, attributes)
    snapshot = latest_snapshot(workspace, as_of)
    if snapshot is None:
        raise ValidationError("no assessment yet" + (f" on or before {as_of}" if as_of else "")
                              + ": run `becoming assess` first")
    model = snapshot.model_version.parsed()
    cols = ["customer_id"] + [f"stage__{d.key}" for d in model.dimensions]
    stages = pq.read_table(snapshot.path, columns=cols).to_pandas().rename(columns={"customer_id": "customer_pk"})
    rows = Customer.objects.filter(workspace=workspace).values_list("id", "external_id", "attributes")
    meta = pd.DataFrame(
        [(pk, ext, group_label(attributes, [_plain((attrs or {}).get(a)) for a in attributes]))
         for pk, ext, attrs in rows.iterator(chunk_size=5000)],
        columns=["customer_pk", "external_id", "group"])
    frame = stages.merge(meta, on="customer_pk", how="inner")
    return Standing(snapshot, model, frame, attributes)


def _counts(frame: pd.DataFrame, col: str, key: str) -> pd.DataFrame:
    """Per group and stage: n (customers at the stage), below, ahead, peers."""
    cnt = frame.groupby([key, col]).size().rename("n").reset_index().sort_values([key, col])
    cnt["peers"] = cnt.groupby(key)["n"].transform("sum")
    cnt["below"] = cnt.groupby(key)["n"].cumsum() - cnt["n"]
    cnt["ahead"] = cnt["peers"] - cnt["below"] - cnt["n"]
    return cnt


def peer_frame(workspace, attributes=(), min_peers: int = MIN_PEERS,
               as_of: dt.date | None = None, customer_pk: int | None = None) -> pd.DataFrame:
    """One row per customer and dimension (see the module docstring), as a DataFrame with
    ``customer_pk`` besides the contract's columns."""
    if min_peers < 1:
        raise ValidationError("min peers: at least 1")
    st = standing(workspace, attributes, as_of)
    frame = st.frame.copy()
    sizes = frame.groupby("group")["customer_pk"].transform("size")
    frame["peer_group"] = frame["group"].where(sizes >= min_peers, ALL)
    frame["everyone"] = ALL
    parts = []
    for dim in st.model.dimensions:
        col = f"stage__{dim.key}"
        by_group = _counts(frame[frame.peer_group != ALL], col, "peer_group")
        by_all = _counts(frame, col, "everyone").rename(columns={"everyone": "peer_group"})
        table = pd.concat([by_group, by_all], ignore_index=True)
        merged = frame[["customer_pk", "external_id", "peer_group", col]].merge(
            table, on=["peer_group", col], how="left")
        if customer_pk is not None:
            merged = merged[merged.customer_pk == customer_pk]
        parts.append(pd.DataFrame({
            "customer_pk": merged.customer_pk, "customer_id": merged.external_id,
            "dimension": dim.key, "stage_index": merged[col].astype(int),
            "peer_group": merged.peer_group, "peers": merged.peers.astype(int),
            "percentile": (100 * (merged.below + 0.5 * merged.n) / merged.peers).round(1),
            "peers_ahead": merged.ahead.astype(int),
        }))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["customer_pk", *COLUMNS])
    return out.sort_values(["customer_id", "dimension"], kind="stable").reset_index(drop=True)


def peer_rows(workspace, attributes=(), min_peers: int = MIN_PEERS, as_of: dt.date | None = None) -> pa.Table:
    """The ``becoming inspire peers`` table."""
    frame = peer_frame(workspace, attributes, min_peers, as_of)
    return pa.Table.from_pandas(frame[COLUMNS], preserve_index=False)


# -- what a customer reads ("customers like you") -------------------------------------------

def stage_counts(workspace, snapshot, attributes: list[str], min_peers: int) -> dict[str, Any]:
    """Customers per peer group and stage of one snapshot: {"sizes": {group: n}, "counts":
    {dimension: {group or "all": {stage: n}}}}. Kept in the cache, keyed by the snapshot, so a
    page shows one customer's standing without reading every customer again."""
    import hashlib

    from django.core.cache import cache

    # The snapshot's file names it uniquely (a new assessment, a new key), ids may be reused.
    ident = hashlib.sha256(f"{snapshot.pk}:{snapshot.path}:{min_peers}:{'|'.join(attributes)}".encode())
    key = "inspire-peers:" + ident.hexdigest()[:40]
    found = cache.get(key)
    if found is not None:
        return found
    st = standing(workspace, attributes, snapshot.as_of)
    frame = st.frame
    counts: dict[str, dict[str, dict[int, int]]] = {}
    for dim in st.model.dimensions:
        col = f"stage__{dim.key}"
        by_group = {str(g): {int(k): int(v) for k, v in part[col].value_counts().items()}
                    for g, part in frame.groupby("group")}
        by_group[ALL] = {int(k): int(v) for k, v in frame[col].value_counts().items()}
        counts[dim.key] = by_group
    data = {"sizes": {str(k): int(v) for k, v in frame.groupby("group").size().items()}, "counts": counts}
    cache.set(key, data, 3600)
    return data


def aspirations(customer, attributes=None, min_peers: int | None = None) -> list[dict[str, Any]]:
    """Per dimension: where ``customer`` stands among peers, in words that encourage those
    furthest behind (comparisons move them most) and never name another customer. The same
    numbers as ``peer_frame``, from the cached counts of the latest snapshot."""
    from becoming.assessments.actions import customer_row

    from .settings import peer_settings

    setting = peer_settings(customer.workspace)
    attributes = list(setting.peer_attributes if attributes is None else attributes)
    min_peers = setting.min_peers if min_peers is None else min_peers
    snapshot = latest_snapshot(customer.workspace)
    if snapshot is None:
        return []
    row = customer_row(snapshot, customer.pk)
    try:
        attributes = check_attributes(customer.workspace, attributes)
    except ValidationError:
        return []
    if row is None:
        return []
    data = stage_counts(customer.workspace, snapshot, attributes, min_peers)
    label = group_label(attributes, [_plain((customer.attributes or {}).get(a)) for a in attributes])
    group = label if data["sizes"].get(label, 0) >= min_peers else ALL
    model = snapshot.model_version.parsed()
    out = []
    for dim in model.dimensions:
        stage = int(row[f"stage__{dim.key}"])
        counts = {int(k): v for k, v in data["counts"][dim.key].get(group, {}).items()}
        peers = sum(counts.values())
        if not peers:
            continue
        below = sum(n for k, n in counts.items() if k < stage)
        ahead = sum(n for k, n in counts.items() if k > stage)
        percentile = round(100 * (below + 0.5 * counts.get(stage, 0)) / peers, 1)
        nxt = dim.stages[stage + 1].name if stage + 1 < len(dim.stages) else None
        out.append({"dimension": dim, "stage": dim.stages[stage].name, "percentile": percentile,
                    "peers": peers, "ahead": ahead, "group": group,
                    "compared_with": ("all our customers" if group == ALL else
                                      "customers who share your " + " and ".join(attributes)),
                    "phrase": phrase(percentile, peers, ahead, nxt, group == ALL)})
    return out


def phrase(percentile: float, peers: int, ahead: int, next_stage: str | None, everyone: bool) -> str:
    """A sentence about a customer's standing that encourages rather than ranks."""
    who = "customers" if everyone else "customers like you"
    if next_stage is None:
        return f"You are at the top stage: an example for the other {who}."
    share = round(100 * ahead / peers) if peers else 0
    if percentile >= 75:
        return f"You are further along than most {who} (about {round(percentile)} in 100)."
    if percentile >= 40:
        return (f"You are where many {who} are. {share}% of them have already reached the next "
                f"stage, {next_stage}: it is well within reach.")
    return (f"Many {who} started exactly here. {share}% of them have since moved up, most to "
            f"{next_stage} first: the step is a well-trodden one, and the journey below shows "
            "what it takes.")
