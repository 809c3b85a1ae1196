"""The recommender's arithmetic, apart from Django: interaction matrices in, ranked items out.

Readers are rows and items columns of a binary matrix X (a reader touched an item, or not).
Three scorers share it:

* ``EASE``: Steck's EASE^R (2019), a closed-form item-item linear model
  B = I - P·diag(1/diag(P)), P = (XᵀX + λI)⁻¹; a reader's scores are x·B.
* ``ItemKNN``: cosine similarity between item columns, keeping each item's nearest neighbours.
* ``Popularity``: how many readers touched each item.

``blend`` mixes a collaborative score with the fit to the reader's gap (items targeted at the
reader's current stage on the dimensions furthest below target) and with the reader's tags
(so items nobody has read yet still reach readers); ``top_k`` ranks in chunks of readers so
memory stays bounded for 10,000 readers × 5,000 items. ``holdout`` and ``evaluate`` measure
Recall@k and NDCG@k on a seeded per-reader holdout.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

# Readers scored at once: 1,000 × 5,000 float32 scores are 20 MB.
CHUNK = 1000
# EASE^R's λ for Becoming's recommender, chosen on MovieLens small (docs/readme/inform.md);
# the INFORM_EASE_LAMBDA setting changes it.
DEFAULT_LAMBDA = 200.0


def matrix(readers: np.ndarray, items: np.ndarray, n_readers: int, n_items: int) -> sp.csr_matrix:
    """The binary reader × item matrix of interaction index pairs (repeats count once)."""
    data = np.ones(len(readers), dtype=np.float32)
    x = sp.csr_matrix((data, (readers, items)), shape=(n_readers, n_items), dtype=np.float32)
    x.data[:] = 1.0
    return x


class EASE:
    """EASE^R: B = I - P / diag(P), P = (XᵀX + λI)⁻¹, diagonal of B zero."""

    name = "EASE^R"

    def __init__(self, lam: float = 200.0):
        self.lam = lam
        self.b: np.ndarray | None = None

    def fit(self, x: sp.csr_matrix) -> EASE:
        # Only items someone touched take part: the others' rows and columns of B are zero.
        self.used = np.flatnonzero(np.asarray(x.getnnz(axis=0)) > 0)
        self.n_items = x.shape[1]
        if not len(self.used):  # nobody has read anything yet: no item-to-item model
            self.b = np.zeros((0, 0), dtype=np.float32)
            return self
        sub = x[:, self.used]
        gram = (sub.T @ sub).toarray().astype(np.float64)
        gram[np.diag_indices_from(gram)] += self.lam
        p = _spd_inverse(gram)
        b = p / (-np.diag(p))
        b[np.diag_indices_from(b)] = 0.0
        self.b = b.astype(np.float32)
        self.n_items = x.shape[1]
        return self

    def scores(self, x: sp.csr_matrix) -> np.ndarray:
        assert self.b is not None
        out = np.zeros((x.shape[0], self.n_items), dtype=np.float32)
        out[:, self.used] = np.asarray(x[:, self.used] @ self.b, dtype=np.float32)
        return out


def _spd_inverse(a: np.ndarray) -> np.ndarray:
    """The inverse of a symmetric positive definite matrix by Cholesky (LAPACK potrf/potri),
    about twice as fast as a general inverse; overwrites ``a``."""
    from scipy.linalg import lapack

    c, info = lapack.dpotrf(a, lower=True, overwrite_a=True, clean=False)
    if info != 0:
        return np.linalg.inv(a)
    inv, info = lapack.dpotri(c, lower=True, overwrite_c=True)
    if info != 0:
        raise np.linalg.LinAlgError("the Gram matrix is not positive definite")
    lower = np.tril(inv)
    return lower + np.tril(inv, -1).T


class ItemKNN:
    """Item-based k nearest neighbours on cosine similarity (Sarwar et al. 2001)."""

    name = "item-kNN"

    def __init__(self, neighbours: int = 100):
        self.neighbours = neighbours
        self.sim: sp.csr_matrix | None = None

    def fit(self, x: sp.csr_matrix) -> ItemKNN:
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=0)).ravel())
        norms[norms == 0] = 1.0
        xn = x @ sp.diags(1.0 / norms)
        sim = (xn.T @ xn).toarray()
        np.fill_diagonal(sim, 0.0)
        k = min(self.neighbours, sim.shape[1] - 1)
        if k > 0 and k < sim.shape[1]:
            cut = np.argpartition(-sim, k, axis=0)[k:]  # all but each column's k largest
            np.put_along_axis(sim, cut, 0.0, axis=0)
        self.sim = sp.csr_matrix(sim.astype(np.float32))
        return self

    def scores(self, x: sp.csr_matrix) -> np.ndarray:
        assert self.sim is not None
        return np.asarray((x @ self.sim).toarray(), dtype=np.float32)


class Popularity:
    name = "popularity"

    def __init__(self):
        self.counts: np.ndarray | None = None

    def fit(self, x: sp.csr_matrix) -> Popularity:
        self.counts = np.asarray(x.sum(axis=0), dtype=np.float32).ravel()
        return self

    def scores(self, x: sp.csr_matrix) -> np.ndarray:
        assert self.counts is not None
        return np.tile(self.counts, (x.shape[0], 1))


@dataclass
class Context:
    """What the blend knows besides interactions, all aligned with X's rows and columns.

    ``gap``: readers × items, how well each item fits the reader's gap (0 none, 1 best);
    ``item_tags``: items × tags binary (CSR); ``weights``: the blend's weights.
    """

    gap: sp.csr_matrix | None = None
    item_tags: sp.csr_matrix | None = None
    collaborative: float = 1.0
    gap_weight: float = 0.6
    tag_weight: float = 0.15
    # Popularity (scaled to 0..1) breaks ties: a reader with no history gets what most read.
    popularity_weight: float = 0.01


class Blend:
    """Becoming's recommender: a collaborative score (per reader scaled to 0..1) plus the
    fit to the reader's gap and the reader's tags. A tag's weight is its share of the
    reader's tagged reading, so an unread item with the reader's usual tags ranks as a
    small fraction of a strong collaborative match: it fills in, it does not push out."""

    name = "Becoming"

    def __init__(self, collaborative, context: Context | None = None):
        self.collaborative = collaborative
        self.context = context or Context()
        self.popularity: np.ndarray = np.zeros(0, dtype=np.float32)

    def fit(self, x: sp.csr_matrix) -> Blend:
        self.collaborative.fit(x)
        counts = np.asarray(x.sum(axis=0), dtype=np.float32).ravel()
        self.popularity = counts / max(float(counts.max()) if len(counts) else 1.0, 1.0)
        return self

    def parts(self, x: sp.csr_matrix, rows: slice | np.ndarray) -> dict[str, np.ndarray]:
        """The blend's parts for readers ``rows`` of x (each readers × items, 0..1)."""
        ctx = self.context
        sub = x[rows]
        collab = self.collaborative.scores(sub)
        top = collab.max(axis=1, keepdims=True)
        top[top <= 0] = 1.0
        collab = np.clip(collab / top, 0.0, None)
        out = {"collaborative": collab}
        if ctx.item_tags is not None and ctx.item_tags.shape[1]:
            profile = np.asarray((sub @ ctx.item_tags).toarray(), dtype=np.float32)
            total = profile.sum(axis=1, keepdims=True)
            total[total == 0] = 1.0
            # Per item: the mean share of the reader's reading its tags have.
            n_tags = np.asarray(ctx.item_tags.sum(axis=1)).ravel().astype(np.float32)
            n_tags[n_tags == 0] = 1.0
            tag = np.asarray((ctx.item_tags @ (profile / total).T).T) / n_tags
            out["tags"] = tag.astype(np.float32)
        if ctx.gap is not None:
            out["gap"] = np.asarray(ctx.gap[rows].toarray(), dtype=np.float32)
        out["popularity"] = np.broadcast_to(self.popularity, collab.shape)
        return out

    def combine(self, parts: dict[str, np.ndarray]) -> np.ndarray:
        ctx = self.context
        score = ctx.collaborative * parts["collaborative"]
        if "tags" in parts:
            score = score + ctx.tag_weight * parts["tags"]
        if "gap" in parts:
            score = score + ctx.gap_weight * parts["gap"]
        return score + ctx.popularity_weight * parts["popularity"]

    def scores(self, x: sp.csr_matrix) -> np.ndarray:
        return self.combine(self.parts(x, slice(0, x.shape[0])))


def top_k(model, x: sp.csr_matrix, k: int, exclude: sp.csr_matrix | None = None,
          on_chunk: Callable[[int, np.ndarray, np.ndarray, dict | None], None] | None = None,
          chunk: int = CHUNK) -> tuple[np.ndarray, np.ndarray]:
    """Each reader's k best unseen items: (items, scores), readers × k, -1 where fewer exist.

    Seen items (``exclude``, default x) never appear. Readers go ``chunk`` at a time; with
    ``on_chunk(start, items, scores, parts)`` each chunk is handed over as it is done.
    """
    exclude = x if exclude is None else exclude
    n, m = x.shape
    k_eff = min(k, m)
    all_items = np.full((n, k), -1, dtype=np.int64)
    all_scores = np.full((n, k), np.nan, dtype=np.float32)
    for start in range(0, n, chunk):
        rows = slice(start, min(n, start + chunk))
        parts = model.parts(x, rows) if isinstance(model, Blend) else None
        s = model.combine(parts) if parts is not None else model.scores(x[rows])
        s = np.asarray(s, dtype=np.float32)
        seen = exclude[rows]
        s[seen.nonzero()] = -np.inf
        if k_eff < m:
            idx = np.argpartition(-s, k_eff - 1, axis=1)[:, :k_eff]
        else:
            idx = np.tile(np.arange(m), (s.shape[0], 1))
        vals = np.take_along_axis(s, idx, axis=1)
        order = np.argsort(-vals, axis=1, kind="stable")
        idx = np.take_along_axis(idx, order, axis=1)
        vals = np.take_along_axis(vals, order, axis=1)
        valid = np.isfinite(vals)
        idx = np.where(valid, idx, -1)
        all_items[rows, :k_eff] = idx
        all_scores[rows, :k_eff] = np.where(valid, vals, np.nan)
        if on_chunk:
            on_chunk(start, idx, vals, parts)
    return all_items, all_scores


def holdout(readers: np.ndarray, items: np.ndarray, share: float, seed: int) -> np.ndarray:
    """A boolean mask of the held-out pairs: ``share`` of each reader's distinct items, drawn
    with ``seed``; a reader keeps at least one item in training."""
    rng = np.random.default_rng(seed)
    pairs = np.unique(np.stack([readers, items], axis=1), axis=0)
    order = rng.permutation(len(pairs))
    pairs = pairs[order]
    # rank of each pair within its reader, in the random order
    by_reader = np.argsort(pairs[:, 0], kind="stable")
    sorted_readers = pairs[by_reader, 0]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_readers)) + 1]
    counts = np.diff(np.r_[starts, len(sorted_readers)])
    rank = np.arange(len(sorted_readers)) - np.repeat(starts, counts)
    n_test = np.floor(counts * share + 0.5).astype(np.int64)
    n_test = np.minimum(n_test, counts - 1)
    test = np.zeros(len(pairs), dtype=bool)
    test[by_reader] = rank < np.repeat(n_test, counts)
    return pairs, test


def recall_ndcg(ranked: np.ndarray, truth: sp.csr_matrix, k: int) -> tuple[float, float]:
    """Mean Recall@k (hits / min(k, held-out)) and NDCG@k over readers with held-out items."""
    recalls, ndcgs = [], []
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    for r in range(truth.shape[0]):
        held = truth.indices[truth.indptr[r]:truth.indptr[r + 1]]
        if len(held) == 0:
            continue
        row = ranked[r, :k]
        hits = np.isin(row, held) & (row >= 0)
        recalls.append(hits.sum() / min(k, len(held)))
        ideal = discounts[:min(k, len(held))].sum()
        ndcgs.append((hits * discounts[:len(row)]).sum() / ideal)
    if not recalls:
        return 0.0, 0.0
    return float(np.mean(recalls)), float(np.mean(ndcgs))


def evaluate(models: list, readers: np.ndarray, items: np.ndarray, n_readers: int, n_items: int,
             k: int = 20, share: float = 0.2, seed: int = 0) -> list[dict]:
    """Fit each model on the same seeded split and measure it on the held-out pairs."""
    pairs, test = holdout(readers, items, share, seed)
    train = matrix(pairs[~test, 0], pairs[~test, 1], n_readers, n_items)
    truth = matrix(pairs[test, 0], pairs[test, 1], n_readers, n_items)
    out = []
    for model in models:
        model.fit(train)
        ranked, _ = top_k(model, train, k)
        recall, ndcg = recall_ndcg(ranked, truth, k)
        out.append({"model": model.name, "recall": recall, "ndcg": ndcg})
    return out
