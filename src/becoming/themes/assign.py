"""Assigning new texts to existing themes, and keeping theme ids across rediscovery."""

from __future__ import annotations

import numpy as np

#: Cosine similarity to the nearest centroid below which a text is "unthemed" (-1).
#: Members of CLINC150 themes sit mostly above 0.55 to their centroid; unrelated text
#: (gibberish, another domain) mostly below 0.4.
DEFAULT_ASSIGN_THRESHOLD = 0.5


def _normalise(a) -> np.ndarray:
    a = np.atleast_2d(np.asarray(a, dtype=np.float32))
    return a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)


def assign_many(
    embeddings, centroids, threshold: float = DEFAULT_ASSIGN_THRESHOLD
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest centroid by cosine for each row: (theme indices with -1 below threshold,
    similarities to the nearest centroid)."""
    x = _normalise(embeddings)
    c = np.asarray(centroids, dtype=np.float32)
    if c.size == 0:
        return np.full(len(x), -1, dtype=np.int64), np.zeros(len(x), dtype=np.float32)
    sims = x @ _normalise(c).T
    best = sims.argmax(axis=1)
    best_sim = sims[np.arange(len(x)), best]
    return np.where(best_sim >= threshold, best, -1).astype(np.int64), best_sim


def assign(embedding, centroids, threshold: float = DEFAULT_ASSIGN_THRESHOLD) -> int:
    """Index of the nearest centroid by cosine, or -1 when its similarity < threshold."""
    return int(assign_many(embedding, centroids, threshold)[0][0])


def match_themes(old_centroids, new_centroids, threshold: float = 0.8) -> dict[int, int]:
    """One-to-one matching of new themes to old ones: ``{new_index: old_index}``.

    Hungarian assignment (scipy's linear_sum_assignment) maximising total cosine similarity;
    pairs below ``threshold`` are dropped, so a new theme without a counterpart stays
    unmatched (a genuinely new theme) and gets a fresh id from the caller.
    """
    from scipy.optimize import linear_sum_assignment

    old = np.asarray(old_centroids, dtype=np.float32)
    new = np.asarray(new_centroids, dtype=np.float32)
    if old.size == 0 or new.size == 0:
        return {}
    sims = _normalise(new) @ _normalise(old).T
    rows, cols = linear_sum_assignment(sims, maximize=True)
    return {int(r): int(c) for r, c in zip(rows, cols) if sims[r, c] >= threshold}
