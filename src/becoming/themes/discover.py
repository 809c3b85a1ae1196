"""Theme discovery: Ward agglomerative clustering refined by k-means, automatic theme count.

Method (the clustering chosen once on CLINC150 by comparing k-means, Ward, average/complete
linkage on cosine and spectral clustering; the theme count chosen on CLINC150 and checked
on HWU64 without retuning; see benchmarks/bench_themes.py and docs/readme/engage.md):

1. Ward linkage (scipy) on the L2-normalised embeddings (Euclidean on unit vectors is a
   monotone function of cosine). For more than ``max_tree`` texts the tree is built on a
   random sample and the rest join through the k-means step.
2. The number of themes: given, or the most *stable* count, corrected for chance
   (:func:`choose_k`, after Dudoit and Fridlyand's Clest): two disjoint random halves of
   the collection are each clustered by Ward; for every candidate count both trees are cut,
   every text of the two halves goes to its nearest centroid in each, and the adjusted Rand
   index between the two partitions measures how reproducible that count is. The same is
   done on a structureless reference (a Gaussian with the collection's mean and covariance)
   and subtracted, which removes the pull of few, large clusters. The count with the
   highest corrected stability wins (the curve smoothed over neighbouring candidates
   finds the peak, the best single candidate near it is taken). Granularity
   then moves it: 0 halves it (broader themes), 1 doubles it (finer ones).
3. One k-means run (scikit-learn) started from the Ward centroids refines the partition.
4. Themes smaller than ``min_size`` are dissolved: their texts get label -1 (unthemed).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .labels import format_label, label_themes

#: Stability is measured on two disjoint halves of at most this many texts each.
STABILITY_SAMPLE = 2500
#: Repetitions (pairs of halves) on the collection and on the structureless reference:
#: 3 and 2 for the largest halves, more for small collections (cheap there, and noisier).
STABILITY_REPEATS = 3
NULL_REPEATS = 2
MAX_REPEATS = 20
#: Candidate counts: this many, spaced geometrically from 2 to a quarter of a half.
CANDIDATES = 40


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


def _cut(tree: np.ndarray, k: int) -> np.ndarray:
    from scipy.cluster.hierarchy import fcluster

    labels = fcluster(tree, k, criterion="maxclust") - 1
    return np.unique(labels, return_inverse=True)[1]


def _stability(x: np.ndarray, ks: list[int], size: int, repeats: int, rng) -> np.ndarray:
    """Mean adjusted Rand index, per candidate count, between the partitions that Ward trees
    of two disjoint random halves induce on the texts of both halves."""
    from scipy.cluster.hierarchy import linkage
    from sklearn.metrics import adjusted_rand_score

    scores = np.zeros(len(ks))
    for _ in range(repeats):
        order = rng.permutation(len(x))
        a, b = order[:size], order[size:2 * size]
        both = x[np.concatenate([a, b])]
        trees = [(x[a], linkage(x[a], method="ward")), (x[b], linkage(x[b], method="ward"))]
        for i, k in enumerate(ks):
            nearest = []
            for half, tree in trees:
                cut = _cut(tree, k)
                centroids = _normalise(_centroids(half, cut, int(cut.max()) + 1))
                nearest.append((both @ centroids.T).argmax(axis=1))
            scores[i] += adjusted_rand_score(*nearest)
    return scores / repeats


def stability_curve(x: np.ndarray, random_state: int = 0) -> tuple[list[int], np.ndarray, np.ndarray]:
    """Candidate counts, their chance-corrected stability, and that curve smoothed over
    neighbouring candidates (see the module doc)."""
    rng = np.random.default_rng(random_state)
    size = min(len(x) // 2, STABILITY_SAMPLE)
    top = max(2, size // 4)
    ks = sorted({int(k) for k in np.geomspace(2, top, CANDIDATES).round()})
    repeats = min(MAX_REPEATS, max(STABILITY_REPEATS, STABILITY_REPEATS * STABILITY_SAMPLE // size))
    observed = _stability(x, ks, size, repeats, rng)
    reference = rng.multivariate_normal(x.mean(axis=0), np.cov(x.T), size=2 * size, method="eigh")
    expected = _stability(_normalise(reference), ks, size, max(NULL_REPEATS, repeats // 2), rng)
    corrected = observed - expected
    padded = np.pad(corrected, 1, mode="edge")
    return ks, corrected, (padded[:-2] + padded[1:-1] + padded[2:]) / 3


def choose_k(x: np.ndarray, granularity: float = 0.5, random_state: int = 0) -> int:
    """The most stable number of themes, moved by granularity (0: half, 1: double).

    The smoothed curve finds the stable region (one lucky split does not decide it); the
    best single candidate there wins, since splitting a theme costs stability more slowly
    than merging two, which would pull a smoothed peak toward too many themes.
    """
    n = len(x)
    if n < 8:  # too few texts to split in halves and compare
        return max(1, n // 2)
    ks, corrected, smoothed = stability_curve(x, random_state)
    peak = int(np.argmax(smoothed))
    window = range(max(0, peak - 1), min(len(ks), peak + 2))
    best = ks[max(window, key=lambda i: corrected[i])]
    return max(1, min(n, round(best * 2.0 ** (2 * (float(granularity) - 0.5)))))


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
            k = min(choose_k(x, granularity, random_state), len(xs))
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
