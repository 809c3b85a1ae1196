"""The automatic theme count on synthetic collections of known count (no model needed)."""

import numpy as np
import pytest
from sklearn.metrics import normalized_mutual_info_score

from becoming.themes import discover
from becoming.themes.discover import choose_k, stability_curve


def blobs(sizes, spread=1.0, dim=384, seed=0):
    """Clusters shaped like sentence embeddings: directions sharing a common component (themes
    of one collection are alike), each text its direction plus Gaussian noise, normalised.
    spread 1.0 puts texts at cosine ~0.7 from their centre, as in CLINC150."""
    rng = np.random.default_rng(seed)
    centres = 0.5 * rng.normal(size=dim) + rng.normal(size=(len(sizes), dim))
    x = np.vstack([c + spread * rng.normal(size=(n, dim)) for c, n in zip(centres, sizes)])
    truth = np.repeat(np.arange(len(sizes)), sizes)
    return x / np.linalg.norm(x, axis=1, keepdims=True), truth


@pytest.mark.once
@pytest.mark.parametrize("sizes", [[40] * 4, [20] * 15])
def test_stability_finds_the_known_count(sizes):
    x, truth = blobs(sizes, seed=len(sizes))
    found = discover(x, ["t"] * len(x), min_size=1)  # the count chosen by choose_k
    assert len(found.themes) == len(sizes)
    assert normalized_mutual_info_score(truth, found.labels) > 0.95


@pytest.mark.once
def test_count_follows_the_data_not_a_threshold():
    """Looser clusters (a lower cohesion) still give their own count: nothing is tuned to a scale."""
    tight, _ = blobs([20] * 6, spread=0.7, seed=1)
    loose, _ = blobs([20] * 6, spread=1.3, seed=1)
    assert choose_k(tight) == choose_k(loose) == 6


@pytest.mark.once
def test_structureless_collection_is_not_split_into_many():
    x = np.random.default_rng(3).normal(size=(120, 384))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    ks, corrected, smoothed = stability_curve(x)
    assert len(ks) == len(corrected) == len(smoothed)
    assert np.abs(smoothed).max() < 0.1  # nothing reproducible beyond chance
    structured, _ = blobs([24] * 5, seed=3)
    assert stability_curve(structured)[2].max() > 0.5


@pytest.mark.once
def test_granularity_halves_or_doubles_the_count():
    x, _ = blobs([25] * 4, seed=8)
    assert choose_k(x, 0.5) == 4
    assert choose_k(x, 0.0) == 2
    assert choose_k(x, 1.0) == 8


@pytest.mark.once
def test_tiny_collections():
    x, _ = blobs([3, 3], seed=2)
    assert choose_k(x) == 3  # fewer than eight texts: half as many themes
    assert choose_k(x[:1]) == 1
