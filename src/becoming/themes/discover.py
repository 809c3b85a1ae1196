"""Theme discovery: Ward agglomerative clustering refined by k-means, automatic theme count.

Method (chosen once on CLINC150 by comparing k-means, Ward, average/complete linkage on
cosine and spectral clustering; see benchmarks/bench_themes.py):

1. Ward linkage (scipy) on the L2-normalised embeddings (Euclidean on unit vectors is a
   monotone function of cosine). For more than ``max_tree`` texts the tree is built on a
   random sample and the rest join through the k-means step.
2. The number of themes: given, or the smallest cut of the tree whose mean cohesion (each
   text's cosine to its theme's centroid, averaged over texts) reaches a target. The target
   is ``COHESION_AT_MIDDLE`` at granularity 0.5 and moves by ``COHESION_SPAN`` across the
   granularity range: granularity 0 asks for looser, broader themes (fewer), 1 for tighter,
   finer ones (more). This is a label-free, size-independent distance threshold.
3. One k-means run (scikit-learn) started from the Ward centroids refines the partition.
4. Themes smaller than ``min_size`` are dissolved: their texts get label -1 (unthemed).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .labels import format_label, label_themes

COHESION_AT_MIDDLE = 0.73
COHESION_SPAN = 0.30  # granularity 0 -> 0.58, 1 -> 0.88


@dataclass
class Theme:
    index: int
    size: int
    label: str
    key_phrases: list[str]
    representatives: list[int]  # indices into the texts, nearest the centroid first
    centroid: np.ndarray  # L2-normalised, float32


@dataclass
class Discovery:
    labels: np.ndarray  # theme index per text, -1 for unthemed
    themes: list[Theme] = field(default_factory=list)

    @property
    def centroids(self) -> np.ndarray:
        if not self.themes:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([t.centroid for t in self.themes])


def _normalise(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def _centroids(x: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    sums = np.zeros((k, x.shape[1]))
    np.add.at(sums, labels, x)
    return sums / np.maximum(np.bincount(labels, minlength=k), 1)[:, None]


def _cohesion(x: np.ndarray, labels: np.ndarray, k: int) -> float:
    c = _normalise(_centroids(x, labels, k))
    return float(np.einsum("ij,ij->i", x, c[labels]).mean())


def _cut(tree: np.ndarray, k: int) -> np.ndarray:
    from scipy.cluster.hierarchy import fcluster

    labels = fcluster(tree, k, criterion="maxclust") - 1
    return np.unique(labels, return_inverse=True)[1]


def choose_k(x: np.ndarray, tree: np.ndarray, granularity: float) -> int:
    """Smallest number of clusters whose cut reaches the granularity's cohesion target."""
    target = COHESION_AT_MIDDLE + COHESION_SPAN * (float(granularity) - 0.5)
    lo, hi = 1, len(x)
    while lo < hi:  # cohesion grows (nearly) monotonically with k
        mid = (lo + hi) // 2
        labels = _cut(tree, mid)
        if _cohesion(x, labels, labels.max() + 1) >= target:
            hi = mid
        else:
            lo = mid + 1
    return lo


def discover(
    embeddings,
    texts: list[str],
    n_themes: int | None = None,
    granularity: float = 0.5,
    *,
    min_size: int = 2,
    n_representatives: int = 5,
    top_phrases: int = 3,
    max_tree: int = 12_000,
    random_state: int = 0,
) -> Discovery:
    """Group texts into themes. ``n_themes=None`` chooses the number automatically, moved
    toward fewer (granularity 0) or more (granularity 1) themes. Themes are indexed by
    decreasing size."""
    from scipy.cluster.hierarchy import linkage
    from sklearn.cluster import KMeans

    x = np.asarray(embeddings, dtype=np.float64)
    n = len(x)
    if len(texts) != n:
        raise ValueError(f"{n} embeddings but {len(texts)} texts")
    if not 0.0 <= granularity <= 1.0:
        raise ValueError("granularity must be within [0, 1]")
    if n == 0:
        return Discovery(labels=np.zeros(0, dtype=np.int64))
    x = _normalise(x)

    if n < 2:
        labels, k = np.zeros(n, dtype=np.int64), 1
    else:
        rng = np.random.default_rng(random_state)
        sample = np.sort(rng.choice(n, max_tree, replace=False)) if n > max_tree else None
        xs = x[sample] if sample is not None else x
        tree = linkage(xs, method="ward")
        if n_themes is None:
            k = choose_k(xs, tree, granularity)
        else:
            k = max(1, min(int(n_themes), len(xs)))
        ward = _cut(tree, k)
        k = int(ward.max()) + 1
        init = _centroids(xs, ward, k)
        km = KMeans(n_clusters=k, init=init, n_init=1, random_state=random_state)
        labels = km.fit_predict(x).astype(np.int64)

    # dissolve tiny themes, reindex by decreasing size
    sizes = np.bincount(labels, minlength=k)
    kept = [c for c in np.argsort(-sizes, kind="stable") if sizes[c] >= max(min_size, 1)]
    remap = np.full(k, -1, dtype=np.int64)
    remap[kept] = np.arange(len(kept))
    labels = remap[labels]

    phrases = label_themes(texts, labels, top=top_phrases)
    themes = []
    for i in range(len(kept)):
        members = np.flatnonzero(labels == i)
        centroid = _normalise(x[members].mean(axis=0, keepdims=True))[0]
        sims = x[members] @ centroid
        reps = members[np.argsort(-sims, kind="stable")[:n_representatives]]
        themes.append(
            Theme(
                index=i,
                size=len(members),
                label=format_label(phrases.get(i, [])),
                key_phrases=phrases.get(i, []),
                representatives=[int(r) for r in reps],
                centroid=centroid.astype(np.float32),
            )
        )
    return Discovery(labels=labels, themes=themes)
