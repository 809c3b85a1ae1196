"""Recommendations per reader, and how well they do on a holdout.

A reader is a customer (``for_="customers"``) or a contact (``"contacts"``). What the
recommender knows of a reader: the items it touched (before ``as_of``), its current stage on
every dimension (the last assessment, or the last snapshot on or before ``as_of``), and the
tags of what it read. The arithmetic is in :mod:`becoming.inform.recommender`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa
import scipy.sparse as sp
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection

from becoming.customers.models import Contact, Customer
from becoming.engine.schema import Model

from .. import recommender as R
from ..models import ContactKey, Interaction, Item

FOR = ("customers", "contacts")
DEFAULT_LAMBDA = R.DEFAULT_LAMBDA
# Readers "like yours": each reader's nearest readers by items read in common.
NEIGHBOURS = 50


@dataclass
class Library:
    """A workspace's readers, items and interactions as arrays (row i ↔ readers[i])."""

    reader_ids: list[str]
    noun: str  # what a reader is called in reasons: accounts or readers
    reader_customers: np.ndarray  # customer pk of each reader
    item_pks: np.ndarray
    item_external: list[str]
    item_titles: list[str]
    x: sp.csr_matrix
    model: Model | None = None
    stages: np.ndarray | None = None  # readers × dimensions, -1 unknown
    item_dim: np.ndarray | None = None
    item_stage: np.ndarray | None = None
    item_toward: list[str] = field(default_factory=list)
    item_tags: sp.csr_matrix | None = None
    tag_names: list[str] = field(default_factory=list)


def _interaction_pairs(workspace, for_: str, as_of: dt.datetime | None):
    """(reader key, item pk) of every interaction, read with one raw query (fast at 1M rows)."""
    table = Interaction._meta.db_table
    reader = "customer_id" if for_ == "customers" else "contact_id"
    sql = f"SELECT {reader}, item_id FROM {table} WHERE workspace_id = %s AND {reader} IS NOT NULL"
    params: list = [workspace.pk]
    if as_of is not None:
        sql += " AND time <= %s"
        params.append(as_of)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    arr = np.asarray(rows, dtype=np.int64)
    return arr[:, 0], arr[:, 1]


def _stages(workspace, model, customer_pks: np.ndarray, as_of: dt.date | None) -> np.ndarray:
    """Readers × dimensions: the stage index of each reader's customer, -1 when unassessed."""
    out = np.full((len(customer_pks), len(model.dimensions)), -1, dtype=np.int64)
    keys = [d.key for d in model.dimensions]
    found: dict[int, list[int]] = {}
    snapshot = None
    if as_of is not None:
        from becoming.assessments.actions import latest_snapshot

        snapshot = latest_snapshot(workspace, as_of)
    if snapshot is not None:
        con = duckdb.connect()
        cols = ", ".join(f'"stage__{k}"' for k in keys)
        try:
            for row in con.execute(f"SELECT customer_id, {cols} FROM read_parquet(?)", [snapshot.path]).fetchall():
                found[int(row[0])] = [(-1 if v is None else int(v)) for v in row[1:]]
        except duckdb.Error:
            found = {}
    elif as_of is None:
        for pk, stages in Customer.objects.filter(workspace=workspace).exclude(stages={}).values_list("pk", "stages"):
            found[pk] = [int(stages.get(k, -1)) if isinstance(stages.get(k), int) else -1 for k in keys]
    for i, pk in enumerate(customer_pks):
        if int(pk) in found:
            out[i] = found[int(pk)]
    return out


def library(workspace, for_: str = "customers", as_of: dt.date | None = None) -> Library:
    """Everything the recommender needs about a workspace, as arrays."""
    if for_ not in FOR:
        raise ValidationError(f"for: one of {', '.join(FOR)}")
    cutoff = (dt.datetime.combine(as_of, dt.time.max, tzinfo=dt.UTC) if as_of else None)
    items = list(Item.objects.filter(workspace=workspace).order_by("pk")
                 .values_list("pk", "external_id", "title", "tags", "dimension", "stage", "toward"))
    if not items:
        raise ValidationError("the library is empty: import or add content first")
    item_pks = np.asarray([i[0] for i in items], dtype=np.int64)
    if for_ == "customers":
        readers = list(Customer.objects.filter(workspace=workspace).order_by("pk").values_list("pk", "external_id"))
        reader_pks = np.asarray([r[0] for r in readers], dtype=np.int64)
        reader_ids = [r[1] for r in readers]
        reader_customers = reader_pks
    else:
        contacts = list(Contact.objects.filter(workspace=workspace).order_by("pk")
                        .values_list("pk", "customer_id", "email"))
        keys = dict(ContactKey.objects.filter(workspace=workspace).values_list("contact_id", "key"))
        reader_pks = np.asarray([c[0] for c in contacts], dtype=np.int64)
        reader_ids = [keys.get(c[0]) or c[2] or str(c[0]) for c in contacts]
        reader_customers = np.asarray([c[1] for c in contacts], dtype=np.int64)
    if not len(reader_pks):
        raise ValidationError(f"no {for_} to recommend to")
    readers_raw, items_raw = _interaction_pairs(workspace, for_, cutoff)
    r = np.searchsorted(reader_pks, readers_raw)
    c = np.searchsorted(item_pks, items_raw)
    ok = (r < len(reader_pks)) & (c < len(item_pks))
    ok[ok] = (reader_pks[r[ok]] == readers_raw[ok]) & (item_pks[c[ok]] == items_raw[ok])
    x = R.matrix(r[ok], c[ok], len(reader_pks), len(item_pks))
    lib = Library(reader_ids=reader_ids, noun="accounts" if for_ == "customers" else "readers", reader_customers=reader_customers, item_pks=item_pks,
                  item_external=[i[1] for i in items], item_titles=[i[2] for i in items], x=x)
    # Tags, as a binary items × tags matrix.
    tag_index: dict[str, int] = {}
    rows, cols = [], []
    for j, item in enumerate(items):
        for tag in item[3] or []:
            rows.append(j)
            cols.append(tag_index.setdefault(tag.lower(), len(tag_index)))
    lib.tag_names = list(tag_index)
    lib.item_tags = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)),
                                  shape=(len(items), len(tag_index)))
    from .content import current_model

    model = current_model(workspace)
    if model is not None:
        lib.model = model
        lib.stages = _stages(workspace, model, reader_customers, as_of)
        dims = {d.key: (n, [s.key for s in d.stages]) for n, d in enumerate(model.dimensions)}
        lib.item_dim = np.full(len(items), -1, dtype=np.int64)
        lib.item_stage = np.full(len(items), -1, dtype=np.int64)
        for j, item in enumerate(items):
            if item[4] in dims and item[5] in dims[item[4]][1]:
                lib.item_dim[j] = dims[item[4]][0]
                lib.item_stage[j] = dims[item[4]][1].index(item[5])
        lib.item_toward = [i[6] for i in items]
    return lib


class GapFit:
    """How well each item fits each reader's gap: an item targeted at the reader's current
    stage on a dimension below target scores the dimension's weight × the stages still to
    go, scaled so the reader's best-fitting item is 1."""

    def __init__(self, lib: Library):
        model = lib.model
        assert model is not None
        self.stages = lib.stages
        self.item_dim = lib.item_dim
        self.item_stage = lib.item_stage
        self.weight = np.asarray([d.weight for d in model.dimensions], dtype=np.float32)
        self.target = np.asarray([d.target_index for d in model.dimensions], dtype=np.int64)

    def rows(self, rows) -> np.ndarray:
        assert self.stages is not None and self.item_dim is not None and self.item_stage is not None
        stages = self.stages[rows]
        targeted = self.item_dim >= 0
        dim = np.where(targeted, self.item_dim, 0)
        at = stages[:, dim]  # readers × items: the reader's stage on each item's dimension
        gap = np.clip(self.target[dim][None, :] - at, 0, None)
        fit = (at == self.item_stage[None, :]) & targeted[None, :] & (gap > 0)
        score = np.where(fit, self.weight[dim][None, :] * gap, 0.0).astype(np.float32)
        top = score.max(axis=1, keepdims=True)
        top[top <= 0] = 1.0
        return score / top


class BecomingBlend(R.Blend):
    """R.Blend with the gap fit computed per chunk of readers (no readers × items matrix kept)."""

    def __init__(self, collaborative, lib: Library, gap_weight: float | None = None,
                 tag_weight: float | None = None):
        ctx = R.Context(item_tags=lib.item_tags)
        if gap_weight is not None:
            ctx.gap_weight = gap_weight
        if tag_weight is not None:
            ctx.tag_weight = tag_weight
        super().__init__(collaborative, ctx)
        self.gap = GapFit(lib) if lib.model is not None and lib.stages is not None else None

    def parts(self, x, rows):
        out = super().parts(x, rows)
        if self.gap is not None:
            out["gap"] = self.gap.rows(rows)
        return out


def collaborative_model():
    kind = getattr(settings, "INFORM_COLLABORATIVE", "ease")
    lam = float(getattr(settings, "INFORM_EASE_LAMBDA", DEFAULT_LAMBDA))
    return R.ItemKNN() if kind == "knn" else R.EASE(lam)


def _reasons(lib: Library, model: BecomingBlend, start: int, idx: np.ndarray, parts: dict,
             dim_names: dict[str, tuple[str, dict[str, str]]]) -> list[list[str]]:
    """A reason a person can read for each recommended item of a chunk of readers."""
    ctx = model.context
    rows = slice(start, start + idx.shape[0])
    # Readers like each reader: most items in common (itself left out).
    sub = lib.x[rows]
    common = (sub @ lib.x.T).toarray()
    common[np.arange(idx.shape[0]), np.arange(start, start + idx.shape[0])] = 0
    k = min(NEIGHBOURS, common.shape[1] - 1)
    like_counts = np.zeros(idx.shape, dtype=np.int64)
    if k > 0 and common.any():
        near = np.argpartition(-common, k - 1, axis=1)[:, :k]
        near_ok = np.take_along_axis(common, near, axis=1) > 0
        marks = sp.csr_matrix((near_ok.ravel().astype(np.float32),
                               (np.repeat(np.arange(idx.shape[0]), k), near.ravel())),
                              shape=(idx.shape[0], lib.x.shape[0]))
        read_by = (marks @ lib.x).toarray()
        like_counts = np.take_along_axis(read_by, np.clip(idx, 0, None), axis=1).astype(np.int64)
    noun = lib.noun
    out = []
    for r in range(idx.shape[0]):
        reasons = []
        for c, j in enumerate(idx[r]):
            if j < 0:
                reasons.append("")
                continue
            gap = ctx.gap_weight * parts["gap"][r, j] if "gap" in parts else 0.0
            collab = ctx.collaborative * parts["collaborative"][r, j]
            tag = ctx.tag_weight * parts["tags"][r, j] if "tags" in parts else 0.0
            if gap > 0 and gap >= collab and lib.model is not None and lib.item_dim is not None:
                dim = lib.model.dimensions[int(lib.item_dim[j])]
                name, stage_names = dim_names[dim.key]
                toward = lib.item_toward[j]
                reasons.append(f"For your next step on {name}"
                               + (f" (toward {stage_names.get(toward, toward)})" if toward else ""))
            elif like_counts[r, c] > 0 and collab >= tag:
                n = int(like_counts[r, c])
                reasons.append(f"Read by {n} {noun if n != 1 else noun[:-1]} like yours")
            elif tag > 0:
                tags = lib.item_tags[j].indices if lib.item_tags is not None else []
                names = [lib.tag_names[t] for t in tags][:2]
                reasons.append("About " + " and ".join(names) + ", like what you read" if names
                               else "Like what you read")
            else:
                reasons.append("Popular with readers")
        out.append(reasons)
    return out


def recommend(workspace, for_: str = "customers", k: int = 20, as_of: dt.date | None = None,
              progress=None, readers: list[int] | None = None) -> pa.Table:
    """One row per reader and recommended item: reader_id, item_id, rank, score, reason.

    Never an item the reader already touched; exactly ``k`` rows per reader when the library
    has that many unseen items. ``readers`` limits the output to those row numbers of the
    library (the customer page asks for one).
    """
    if not 1 <= k <= 1000:
        raise ValidationError("k: between 1 and 1000")
    report = progress or (lambda *a, **kw: None)
    lib = library(workspace, for_, as_of)
    report(0, total=lib.x.shape[0], message="learning from reading")
    model = BecomingBlend(collaborative_model(), lib)
    model.fit(lib.x)
    dim_names = lib.model.names() if lib.model is not None else {}
    columns: dict[str, list] = {"reader_id": [], "item_id": [], "rank": [], "score": [], "reason": []}
    x = lib.x if readers is None else lib.x[readers]
    ids = lib.reader_ids if readers is None else [lib.reader_ids[i] for i in readers]
    offset_rows = np.arange(lib.x.shape[0]) if readers is None else np.asarray(readers)

    def take(start: int, idx: np.ndarray, vals: np.ndarray, parts) -> None:
        rows = offset_rows[start:start + idx.shape[0]]
        reasons = _reasons_for(rows, idx, parts)
        for r in range(idx.shape[0]):
            n = 0
            for c in range(idx.shape[1]):
                j = idx[r, c]
                if j < 0:
                    continue
                n += 1
                columns["reader_id"].append(ids[start + r])
                columns["item_id"].append(lib.item_external[j])
                columns["rank"].append(n)
                columns["score"].append(round(float(vals[r, c]), 6))
                columns["reason"].append(reasons[r][c])
        report(start + idx.shape[0], message="ranking")

    def _reasons_for(rows, idx, parts):
        if readers is None:
            return _reasons(lib, model, int(rows[0]), idx, parts, dim_names)
        return [_reasons(lib, model, int(row), idx[i:i + 1], {k2: v[i:i + 1] for k2, v in parts.items()},
                         dim_names)[0] for i, row in enumerate(rows)]

    if readers is not None and model.gap is not None:
        assert lib.stages is not None
        model.gap.stages = lib.stages[readers]
    R.top_k(model, x, k, on_chunk=take)
    return pa.table({"reader_id": pa.array(columns["reader_id"], pa.string()),
                     "item_id": pa.array(columns["item_id"], pa.string()),
                     "rank": pa.array(columns["rank"], pa.int32()),
                     "score": pa.array(columns["score"], pa.float64()),
                     "reason": pa.array(columns["reason"], pa.string())})


def for_customer(workspace, customer, k: int = 5) -> list[dict]:
    """A customer's top items with reasons (the customer page, the portal)."""
    try:
        lib_ids = list(Customer.objects.filter(workspace=workspace).order_by("pk").values_list("pk", flat=True))
        row = lib_ids.index(customer.pk)
        table = recommend(workspace, "customers", k, readers=[row])
    except (ValidationError, ValueError):
        return []
    items = {i.external_id: i for i in
             Item.objects.filter(workspace=workspace, external_id__in=table.column("item_id").to_pylist())}
    return [{"item": items[i], "reason": reason, "score": score}
            for i, reason, score in zip(table.column("item_id").to_pylist(),
                                        table.column("reason").to_pylist(),
                                        table.column("score").to_pylist(), strict=True) if i in items]


def evaluate(workspace, k: int = 20, holdout: float = 0.2, seed: int = 0, progress=None) -> list[dict]:
    """Recall@k and NDCG@k of Becoming's recommender, EASE^R alone, item-kNN and popularity
    on one seeded holdout of each customer's items."""
    if not 0 < holdout < 1:
        raise ValidationError("holdout: a share between 0 and 1, e.g. 0.2")
    if not 1 <= k <= 1000:
        raise ValidationError("k: between 1 and 1000")
    lib = library(workspace, "customers")
    readers, items = lib.x.nonzero()
    if len(readers) < 2:
        raise ValidationError("too few interactions to evaluate: import reading history first")
    models = [BecomingBlend(collaborative_model(), lib), collaborative_model(), R.ItemKNN(), R.Popularity()]
    rows = R.evaluate(models, readers, items, lib.x.shape[0], lib.x.shape[1], k=k, share=holdout, seed=seed)
    pairs, test = R.holdout(readers, items, holdout, seed)
    for row in rows:
        row["k"] = k
        row["readers"] = int(len(np.unique(pairs[test, 0])))
        row["held_out"] = int(test.sum())
    return rows

