"""Connect's matching: optimality, usefulness on the YC startups, and speed.

Usage: python benchmarks/bench_connect.py [--members 10000] [--group-members 2000]

1. Optimality (1,000 synthetic members: clustered 384-d challenge vectors, stages on four
   dimensions): the round's total against an independent exact solver of the same candidate
   graph (HiGHS integer program through scipy.optimize.milp), and the candidate graph's
   optimum against the all-pairs optimum. The all-pairs figure is measured against the
   all-pairs LP relaxation (fractional matching, an upper bound of the all-pairs optimum),
   so the printed share is a lower bound of the true one.
2. Usefulness (shared/data/yc-startups/Startups.csv, 688 companies): descriptions embedded
   with the real model; industry = first category. Same-industry round: competitors = same
   first category *and* same headquarters city (the same-industry rule already requires the
   same first category). Cross-industry round: competitors = same first category. Held-out
   similarity: the Jaccard overlap of the categories *other than the first*, a field the
   matching never sees; compared with random pairs allowed by the same rules.
3. Speed: a round of 10,000 synthetic members; gatherings of 5–8 for 2,000.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from becoming.connect import matching as m  # noqa: E402

YC = ROOT.parent / "shared" / "data" / "yc-startups" / "Startups.csv"


def synthetic(n: int, seed: int = 0) -> m.Profiles:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(max(n // 50, 2), 384))
    x = centres[rng.integers(0, len(centres), n)] + rng.normal(size=(n, 384)) * 0.8
    x = (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
    stages = rng.integers(0, 4, size=(n, 4)).astype(float)
    return m.Profiles(ids=[f"c{i}" for i in range(n)], names=[f"c{i}" for i in range(n)], text=x,
                      stages=stages, targets=np.array([3.0, 3.0, 2.0, 3.0]),
                      dimensions=["a", "b", "c", "d"])


def milp_matching(edges: dict, n: int, relax: bool = False) -> float:
    from scipy import sparse
    from scipy.optimize import Bounds, LinearConstraint, milp

    keys = list(edges)
    lo = np.array([a for a, _ in keys])
    hi = np.array([b for _, b in keys])
    w = np.array([round(edges[k] * m.SCALE) for k in keys], dtype=float)
    cols = np.arange(len(keys))
    a = sparse.csr_matrix((np.ones(2 * len(keys)), (np.r_[lo, hi], np.r_[cols, cols])),
                          shape=(n, len(keys)))
    res = milp(-w, constraints=LinearConstraint(a, 0, 1),
               integrality=np.zeros(len(keys)) if relax else np.ones(len(keys)),
               bounds=Bounds(0, 1), options={"mip_rel_gap": 0.0})
    return -res.fun / m.SCALE


def optimality() -> None:
    p = synthetic(1000)
    start = time.perf_counter()
    result = m.match(p)
    took = time.perf_counter() - start
    edges = {(i, j): w for i, j, w in result.candidates}
    exact = milp_matching(edges, p.n)
    print(f"optimality.round_total: {result.total:.6f}")
    print(f"optimality.independent_exact_total: {exact:.6f}")
    print(f"optimality.equal: {abs(exact - result.total) < 1e-6}")
    print(f"optimality.candidate_edges: {len(edges)} (all pairs: {p.n * (p.n - 1) // 2})")
    everything, _ = m.candidate_graph(p, k=p.n - 1)
    bound = milp_matching(everything, p.n, relax=True)
    print(f"optimality.all_pairs_lp_bound: {bound:.6f}")
    print(f"optimality.candidate_share_of_all_pairs_optimum: >= {result.total / bound:.2%}")
    print(f"optimality.round_seconds_1000: {took:.2f}")


def yc_profiles():
    from becoming.themes import get_embedder

    with open(YC, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    cats = [[c.strip() for c in r["Categories"].split(",") if c.strip()] for r in rows]
    first = [c[0] if c else None for c in cats]
    texts = [r["Description"] for r in rows]
    vectors = get_embedder().embed(texts)
    vectors[[not t.strip() for t in texts]] = 0
    city = [r["Headquarters (City)"].strip() or None for r in rows]
    return rows, cats, first, texts, vectors, city


def held_out(cats, i, j) -> float:
    a, b = set(cats[i][1:]), set(cats[j][1:])
    return len(a & b) / len(a | b) if a | b else 0.0


def usefulness() -> None:
    if not YC.exists():
        print("usefulness: skipped, shared/data/yc-startups/Startups.csv is absent")
        return
    rows, cats, first, texts, vectors, city = yc_profiles()
    rng = np.random.default_rng(1)
    for mode, keys in (("same-industry", [(f, c) if f and c else None for f, c in zip(first, city)]),
                       ("cross-industry", [(f,) if f else None for f in first])):
        p = m.Profiles(ids=[r["Company"] for r in rows], names=[r["Company"] for r in rows],
                       text=vectors, industry=first, competitor_key=keys, texts=texts)
        result = m.match(p, mode=mode)
        pairs = result.pairs
        scores = [s for _, _, s in pairs]
        weakest = min(pairs, key=lambda t: t[2])
        mask = m.allowed(p, np.arange(p.n), np.arange(p.n), mode, set())
        ii, jj = np.nonzero(np.triu(mask, 1))
        pick = rng.choice(len(ii), size=min(5000, len(ii)), replace=False)
        random_held = np.mean([held_out(cats, ii[k], jj[k]) for k in pick])
        chosen_held = np.mean([held_out(cats, i, j) for i, j, _ in pairs])
        covered = sum(1 for i, j, _ in pairs if cats[i][1:] or cats[j][1:])
        print(f"usefulness.{mode}.pairs: {len(pairs)}")
        print(f"usefulness.{mode}.mean_score: {np.mean(scores):.3f}")
        print(f"usefulness.{mode}.weakest_pair: {p.ids[weakest[0]]} & {p.ids[weakest[1]]} "
              f"({weakest[2]:.3f}): {m.Reasons(p).why(weakest[0], weakest[1])}")
        print(f"usefulness.{mode}.held_out_similarity_pairs: {chosen_held:.3f} "
              f"(pairs with other categories on a side: {covered})")
        print(f"usefulness.{mode}.held_out_similarity_random_allowed: {random_held:.3f}")
        print(f"usefulness.{mode}.times_better_than_random: {chosen_held / random_held:.1f}")


def speed(members: int, group_members: int) -> None:
    p = synthetic(members, 3)
    start, cpu = time.perf_counter(), time.process_time()
    result = m.match(p)
    print(f"speed.round_{members}_members_seconds: {time.perf_counter() - start:.1f} "
          f"(cpu {time.process_time() - cpu:.1f} s) "
          f"({len(result.pairs)} pairs, {len(result.candidates)} candidate edges, {result.blocks} blocks)")
    q = synthetic(group_members, 4)
    rng = np.random.default_rng(5)
    keys = [(f"k{v}",) for v in rng.integers(0, group_members // 10, group_members)]
    start, cpu = time.perf_counter(), time.process_time()
    labels = m.form_groups(q.text, 5, 8, competitor_key=keys)
    sizes = np.bincount(labels)
    print(f"speed.gatherings_{group_members}_members_seconds: {time.perf_counter() - start:.1f} "
          f"(cpu {time.process_time() - cpu:.1f} s) "
          f"({len(sizes)} groups of {sizes.min()}–{sizes.max()}, cohesion {m.cohesion(q.text, labels):.3f} "
          f"vs random {m.cohesion(q.text, rng.permutation(labels)):.3f})")


def main() -> None:
    import functools
    import os

    global print
    print = functools.partial(print, flush=True)  # noqa: A001  (figures appear as they come)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--group-members", type=int, default=2_000)
    args = parser.parse_args()
    optimality()
    usefulness()
    speed(args.members, args.group_members)


if __name__ == "__main__":
    main()
