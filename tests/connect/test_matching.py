"""The matching engine on its own: hard rules, exact optimality against brute force, groups."""

import itertools

import numpy as np
import pytest

from becoming.connect import matching as m

pytestmark = pytest.mark.once


def profiles(n, seed=0, dims=3, **extra):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 16)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    stages = rng.integers(0, 4, size=(n, dims)).astype(float)
    return m.Profiles(ids=[f"c{i}" for i in range(n)], names=[f"Customer {i}" for i in range(n)],
                      text=x, stages=stages, targets=np.full(dims, 3.0),
                      dimensions=[f"Dimension {d}" for d in range(dims)],
                      stage_names=[["Start", "Try", "Use", "Lead"]] * dims, **extra)


def brute_force(edges, n, capacity=None):
    """The best total over every subset of edges that respects the capacities."""
    cap = capacity if capacity is not None else np.ones(n, int)
    keys = list(edges)
    best = 0.0
    for r in range(len(keys) + 1):
        for subset in itertools.combinations(keys, r):
            used = np.zeros(n, int)
            for a, b in subset:
                used[a] += 1
                used[b] += 1
            if (used <= cap).all():
                best = max(best, sum(edges[e] for e in subset))
    return round(best, 6)


@pytest.mark.parametrize("seed", range(4))
def test_the_round_is_an_optimal_matching_of_its_candidate_graph(seed):
    p = profiles(9, seed)
    result = m.match(p, k=3)
    edges = {(i, j): w for i, j, w in result.candidates}
    assert len(edges) <= 9 * 3 and len(edges) < 36  # sparse: not every pair
    assert result.total == pytest.approx(brute_force(edges, 9), abs=1e-6)
    seen = [v for i, j, _ in result.pairs for v in (i, j)]
    assert len(seen) == len(set(seen))  # nobody twice


def test_capacity_makes_an_exact_b_matching():
    p = profiles(7, 3)
    p.capacity = np.array([2, 1, 1, 2, 1, 0, 1])
    result = m.match(p, k=3)
    edges = {(i, j): w for i, j, w in result.candidates}
    assert all(5 not in e for e in edges)  # capacity 0: left out
    assert result.total == pytest.approx(brute_force(edges, 7, p.capacity), abs=1e-6)
    used = np.bincount([v for i, j, _ in result.pairs for v in (i, j)], minlength=7)
    assert (used <= p.capacity).all() and used.max() == 2


def test_hard_rules_are_never_broken():
    n = 40
    industry = [["Retail", "Health", "Finance", None][i % 4] for i in range(n)]
    region = [["North", "South"][(i // 4) % 2] for i in range(n)]
    p = profiles(n, 5, industry=industry,
                 competitor_key=[(industry[i], region[i]) if industry[i] else None for i in range(n)])
    forbidden = {(0, 4), (1, 5)}
    same = m.match(p, mode="same-industry", forbidden=forbidden)
    cross = m.match(p, mode="cross-industry", forbidden=forbidden)
    for i, j, _ in same.candidates:
        assert industry[i] == industry[j] is not None and region[i] != region[j]
    for i, j, _ in cross.candidates:
        assert None not in (industry[i], industry[j]) and industry[i] != industry[j]
    for result in (same, cross):
        pairs = {(i, j) for i, j, _ in result.candidates}
        assert not pairs & forbidden
    assert same.pairs and cross.pairs


def test_blocks_keep_the_solver_small_and_still_optimal_per_graph():
    p = profiles(60, 7)
    result = m.match(p, k=4, block=16)
    assert result.blocks == 4
    edges = {(i, j): w for i, j, w in result.candidates}
    import networkx as nx

    graph = nx.Graph()
    graph.add_weighted_edges_from((i, j, round(w * m.SCALE)) for (i, j), w in edges.items())
    best = nx.max_weight_matching(graph)
    assert result.total == pytest.approx(sum(edges[tuple(sorted(e))] for e in best), abs=1e-6)


def test_reasons_name_the_shared_work_and_the_step_made():
    import datetime as dt

    p = profiles(3, 1)
    p.texts = ["rolling out to a second site and hiring", "rolling out to a second site soon",
               "payroll for restaurants"]
    p.stages = np.array([[3.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    p.step_dates = {(0, 0): dt.date(2026, 3, 31)}
    p.names = ["Acme", "Beta", "Gamma"]
    why = m.Reasons(p).why(0, 1)
    assert "second site" in why
    assert "Acme reached Lead on Dimension 0 in March 2026, Beta is not there yet" in why


def test_group_sizes_and_their_errors():
    assert m.group_sizes(20, 5, 8) == [7, 7, 6]
    assert sorted(m.group_sizes(2000, 5, 8)) == [8] * 250
    with pytest.raises(m.MatchingError, match="too few"):
        m.group_sizes(4, 5, 8)
    with pytest.raises(m.MatchingError, match="cannot be split"):
        m.group_sizes(9, 5, 6)  # two groups hold 10–12, one holds 5–6


def test_groups_are_within_bounds_cohesive_and_without_competitors():
    rng = np.random.default_rng(2)
    centres = rng.normal(size=(6, 16))
    x = np.vstack([c + rng.normal(scale=0.3, size=(10, 16)) for c in centres])
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    keys = [(f"k{i % 9}",) for i in range(60)]
    labels = m.form_groups(x, 5, 8, competitor_key=keys)
    sizes = np.bincount(labels)
    assert sizes.min() >= 5 and sizes.max() <= 8 and sizes.sum() == 60
    for g in range(labels.max() + 1):
        members = [keys[i] for i in np.flatnonzero(labels == g)]
        assert len(members) == len(set(members))
    shuffled = rng.permutation(labels)
    assert m.cohesion(x, labels) > m.cohesion(x, shuffled) + 0.2


def test_too_many_competitors_for_the_tables_is_said_plainly():
    x = np.eye(12, 16)
    keys = [("Chemicals", "EMEA")] * 3 + [(f"k{i}",) for i in range(9)]
    with pytest.raises(m.MatchingError, match=r"3 members are competitors \(Chemicals, EMEA\) but there are only 2 groups"):
        m.form_groups(x, 5, 6, competitor_key=keys)
