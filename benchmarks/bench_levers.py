"""Benchmark: lever effects on randomized histories with known effects (issue 13's "Quality").

For each seed, `becoming.levers.simulate.generate` draws a history: customers at random stages
on 3 dimensions, 9 randomized actions given with known probabilities, each with a known uplift
in the probability of moving up per dimension (some zero, one negative), and a confounded
action given more often to customers who move up more anyway (segment B, higher stages). The
engine of `becoming levers effects` (`becoming.levers.effects.compute`, the same function the
command runs once it has the stages) measures every action x dimension with stratification by
stage and the segment attribute (as `--by segment` does), and once without (naive).

Prints, per seed and overall:
- coverage: share of action x dimension rows whose 95% interval holds the true uplift (target >= 90%)
- ranking: among pairs of randomized actions on a dimension whose true uplifts differ by at
  least 2 points, the share ordered correctly; and whether every such pair is (target: all)
- bias of the confounded action (true uplift 0): mean |uplift| naive vs stratified, and the
  share of the naive bias stratification removes
- time of the computation (target: 10,000 customers x 24 as-of dates x 10 actions < 60 s)

Usage: python benchmarks/bench_levers.py [--customers 10000] [--months 24] [--seeds 5]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from becoming.levers import effects, simulate

OUT = Path(__file__).resolve().parent / "out"


def one(customers: int, months: int, seed: int) -> dict:
    history = simulate.generate(customers=customers, months=months, seed=seed)
    start = time.perf_counter()
    found = effects.compute(history.stages, history.actions, history.dates, window_days=30,
                            lookback_days=30, attributes=history.attributes, by=("segment",))
    seconds = time.perf_counter() - start
    naive = effects.compute(history.stages, history.actions, history.dates, window_days=30,
                            lookback_days=30, stratify=False)
    score = simulate.score(found.rows, history.truth, history.randomized)
    conf = simulate.CONFOUNDED
    bias_naive = float(naive.rows[naive.rows.action == conf].uplift.abs().mean())
    bias_strat = float(found.rows[found.rows.action == conf].uplift.abs().mean())
    return {"seed": seed, "seconds": seconds, "rows": score["rows"], "coverage": score["coverage"],
            "ranking": score["ranking"], "ranking_pairs": score["pairs"],
            "confounded_bias_naive": bias_naive, "confounded_bias_stratified": bias_strat,
            "bias_removed": 1 - bias_strat / bias_naive if bias_naive else float("nan"),
            "treated_rows": int(found.rows.treated.sum())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    results = []
    for seed in range(1, args.seeds + 1):
        r = one(args.customers, args.months, seed)
        results.append(r)
        print(f"seed {seed}: coverage {r['coverage']:.0%} of {r['rows']} rows; ranking "
              f"{r['ranking']:.0%} of {r['ranking_pairs']} pairs; confounded bias "
              f"{100 * r['confounded_bias_naive']:.1f} pts naive -> "
              f"{100 * r['confounded_bias_stratified']:.1f} pts stratified "
              f"({r['bias_removed']:.0%} removed); {r['seconds']:.1f} s", flush=True)
    n = len(results)
    held = sum(r["coverage"] * r["rows"] for r in results) / sum(r["rows"] for r in results)
    summary = {
        "customers": args.customers, "as_of_dates": args.months, "actions": 10, "dimensions": 3,
        "seeds": n, "coverage": held, "coverage_min": min(r["coverage"] for r in results),
        "ranking": sum(r["ranking"] for r in results) / n,
        "ranking_all_correct": sum(r["ranking"] == 1 for r in results),
        "bias_naive": sum(r["confounded_bias_naive"] for r in results) / n,
        "bias_stratified": sum(r["confounded_bias_stratified"] for r in results) / n,
        "seconds_max": max(r["seconds"] for r in results),
        "seconds_median": sorted(r["seconds"] for r in results)[n // 2],
    }
    summary["bias_removed"] = 1 - summary["bias_stratified"] / summary["bias_naive"]
    for key, value in summary.items():
        print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")
    OUT.mkdir(exist_ok=True)
    (OUT / "levers.json").write_text(json.dumps({"summary": summary, "runs": results}, indent=1))


if __name__ == "__main__":
    main()
