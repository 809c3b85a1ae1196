"""Inform's benchmarks: recommendation quality on MovieLens small, `recommend` at scale, and
a digest through a real SMTP server on loopback.

Usage: python benchmarks/bench_inform.py [--part quality|scale|digest|all] [--quick]

quality  MovieLens small (../shared/data/movielens-small), a seeded random 80/20 split of each
         user's movies: Recall@20 and NDCG@20 of Becoming's recommender (EASE^R at the default
         λ, blended with genres as tags), EASE^R with λ tuned on the test split itself (its
         best case), item-kNN and popularity. The one rating of a movie missing from
         movies.csv (user 999, movie 999999) is left out, as the import would refuse it.
scale    10,000 readers × 5,000 items × 1,000,000 interactions in a fresh workspace with the
         demo model and targeted items, then `becoming recommend --k 20` in a child process:
         wall time and its peak memory (targets: < 60 s, < 4 GB).
digest   10,000 contacts, a digest of 5 items each, sent to aiosmtpd on 127.0.0.1 without
         pacing: messages handed to SMTP per second (target: ≥ 50).

Prints `name: value` lines.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
sys.path.insert(0, str(SRC))
ML = HERE.parent.parent / "shared" / "data" / "movielens-small"


def quality(quick: bool, becoming_only: bool = False) -> None:
    import pandas as pd
    import scipy.sparse as sp

    from becoming.inform import recommender as R
    from becoming.inform.recommender import DEFAULT_LAMBDA

    ratings = pd.read_csv(ML / "ratings.csv")
    movies = pd.read_csv(ML / "movies.csv")
    unknown = ~ratings.movieId.isin(movies.movieId)
    print(f"movielens_ratings_left_out_unknown_movie: {int(unknown.sum())}")
    ratings = ratings[~unknown]
    users = {u: i for i, u in enumerate(sorted(ratings.userId.unique()))}
    items = {m: j for j, m in enumerate(movies.movieId)}
    readers = ratings.userId.map(users).to_numpy()
    cols = ratings.movieId.map(items).to_numpy()
    genres = sorted({g for gs in movies.genres for g in gs.split("|") if g != "(no genres listed)"})
    gi = {g: i for i, g in enumerate(genres)}
    pairs = [(j, gi[g]) for j, gs in enumerate(movies.genres) for g in gs.split("|") if g in gi]
    tags = sp.csr_matrix((np.ones(len(pairs), np.float32), ([p[0] for p in pairs], [p[1] for p in pairs])),
                         shape=(len(items), len(genres)))
    n, m = len(users), len(items)
    print(f"movielens_users: {n}\nmovielens_items: {m}\nmovielens_interactions: {len(readers)}")
    grid = [] if becoming_only else [200.0, 500.0] if quick else [100.0, 200.0, 300.0, 500.0, 1000.0]
    best = None
    for lam in grid:
        start = time.perf_counter()
        [row] = R.evaluate([R.EASE(lam)], readers, cols, n, m, k=20, share=0.2, seed=0)
        print(f"ease_lambda_{lam:g}_recall_at_20: {row['recall']:.4f}  ndcg_at_20: {row['ndcg']:.4f}  "
              f"({time.perf_counter() - start:.0f} s)", flush=True)
        if best is None or row["recall"] > best[1]["recall"]:
            best = (lam, row)
    models = [R.Blend(R.EASE(DEFAULT_LAMBDA), R.Context(item_tags=tags))]
    if not becoming_only:
        models += [R.ItemKNN(), R.Popularity()]
    rows = R.evaluate(models, readers, cols, n, m, k=20, share=0.2, seed=0)
    rows[0]["model"] = f"Becoming (EASE^R λ={DEFAULT_LAMBDA:g} + tags)"
    if best is not None:
        rows.insert(1, {**best[1], "model": f"EASE^R (tuned, λ={best[0]:g})"})
    for row in rows:
        print(f"{row['model']}: Recall@20 {row['recall']:.4f}  NDCG@20 {row['ndcg']:.4f}", flush=True)


def _setup_django(home: Path) -> None:
    os.environ["BECOMING_HOME"] = str(home)
    os.environ["DATABASE_URL"] = f"sqlite:///{home / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "becoming.settings")
    from becoming.cli import setup_django

    setup_django()


def _library(readers: int, items: int, interactions: int, contacts: bool = False):
    """A workspace with the demo model, `readers` customers at random stages, `items` items
    (two thirds targeted) and `interactions` readings (popularity skewed, as in real libraries)."""
    import datetime as dt

    import pyarrow as pa
    from django.db import transaction

    from becoming.customers.models import Contact, Customer
    from becoming.inform.actions.interactions import save_interactions
    from becoming.inform.models import Item
    from becoming.tabular.events import SIGNAL_SCHEMA
    from becoming.transformation.actions import apply_model
    from becoming.workspaces.actions import create_workspace

    rng = np.random.default_rng(1)
    ws = create_workspace(f"Bench {time.time():.0f}")
    model_text = (SRC / "becoming" / "demo" / "model.yaml").read_text()
    from becoming.customers.models import Attribute

    for name, kind in (("Industry", "text"), ("Plan", "text"), ("Employees", "number"), ("Sites", "number")):
        Attribute.objects.get_or_create(workspace=ws, name=name, defaults={"type": kind})
    model = apply_model(ws, model_text).parsed()
    dims = model.dimensions
    with transaction.atomic():
        Customer.objects.bulk_create([
            Customer(workspace=ws, external_id=f"R{i}", name=f"Reader {i}",
                     stages={d.key: int(rng.integers(0, len(d.stages))) for d in dims})
            for i in range(readers)], batch_size=2000)
        targeted = []
        for j in range(items):
            d = dims[j % len(dims)] if j % 3 else None
            stage = d.stages[int(rng.integers(0, len(d.stages) - 1))].key if d else ""
            targeted.append(Item(workspace=ws, external_id=f"I{j}", title=f"Item {j}", kind="article",
                                 tags=[f"t{int(rng.integers(0, 40))}", f"t{int(rng.integers(0, 40))}"],
                                 dimension=d.key if d else "", stage=stage, source="bench"))
        Item.objects.bulk_create(targeted, batch_size=2000)
    customers = np.asarray(Customer.objects.filter(workspace=ws).order_by("pk").values_list("pk", flat=True))
    item_pks = np.asarray(Item.objects.filter(workspace=ws).order_by("pk").values_list("pk", flat=True))
    if contacts:
        Contact.objects.bulk_create([Contact(workspace=ws, customer_id=int(c), name=f"Person {i}",
                                             email=f"person{i}@reader{i}.test") for i, c in enumerate(customers)],
                                    batch_size=2000)
    weights = 1.0 / np.arange(1, items + 1) ** 0.8
    weights /= weights.sum()
    r = rng.integers(0, readers, interactions)
    c = rng.choice(items, size=interactions, p=weights)
    base = dt.datetime(2026, 1, 1)
    step = 20_000
    for start in range(0, interactions, step):
        sl = slice(start, min(interactions, start + step))
        k = sl.stop - sl.start
        events = pa.table({
            "event_id": pa.array([f"bench-{i}" for i in range(sl.start, sl.stop)], pa.string()),
            "customer_id": pa.array(customers[r[sl]], pa.int64()),
            "kind": pa.array(["event"] * k, pa.string()),
            "type": pa.array(["inform.view"] * k, pa.string()),
            "time": pa.array([base + dt.timedelta(minutes=int(i)) for i in range(sl.start, sl.stop)],
                             pa.timestamp("us")),
            "value": pa.nulls(k, pa.float64()),
            "properties": pa.nulls(k, pa.string()),
        }, schema=SIGNAL_SCHEMA)
        save_interactions(ws, events, item_pks[c[sl]], np.full(k, -1), ["view"] * k, "bench")
    return ws


def scale(quick: bool) -> None:
    readers, items, interactions = (2_000, 1_000, 100_000) if quick else (10_000, 5_000, 1_000_000)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        _setup_django(home)
        start = time.perf_counter()
        ws = _library(readers, items, interactions)
        print(f"scale_setup_s: {time.perf_counter() - start:.0f} ({readers} readers, {items} items, "
              f"{interactions} interactions)", flush=True)
        out = home / "recs.parquet"
        env = {**os.environ, "PYTHONPATH": str(SRC)}
        exe = Path(sys.executable).parent / "becoming"
        start = time.perf_counter()
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([str(exe), "recommend", "--workspace", ws.slug, "--k", "20", "--format", "parquet",
                        "-o", str(out)], env=env, check=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak_kb = after.ru_maxrss
        cpu = (after.ru_utime - cpu_before.ru_utime) + (after.ru_stime - cpu_before.ru_stime)
        import pyarrow.parquet as pq

        rows = pq.read_metadata(out).num_rows
        print(f"recommend_rows: {rows}\nrecommend_wall_s: {wall:.1f}\nrecommend_cpu_s: {cpu:.1f}\n"
              f"recommend_peak_mb: {peak_kb / 1024:.0f}")


def digest(quick: bool) -> None:
    readers = 1_000 if quick else 10_000
    from aiosmtpd.controller import Controller

    class Sink:
        count = 0

        async def handle_DATA(self, server, session, envelope):
            Sink.count += 1
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            os.environ.update(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port))
            _setup_django(Path(tmp))
            from django.conf import settings

            settings.EMAIL_HOST, settings.EMAIL_PORT, settings.INFORM_SEND_RATE = "127.0.0.1", port, 0
            ws = _library(readers, 300, readers * 10, contacts=True)
            from becoming.inform.actions.mail import compose, prepare, send

            issue = compose(ws, kind="digest", subject="Your reading this week", count=5)
            start = time.perf_counter()
            prepare(issue)
            print(f"digest_prepare_s: {time.perf_counter() - start:.1f} (recommendations for {readers} readers)")
            start, cpu = time.perf_counter(), time.process_time()
            result = send(issue, "http://localhost:8000/")
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
            print(f"digest_sent: {result['sent']} (server received {Sink.count})")
            print(f"digest_send_s: {wall:.1f} (CPU {cpu:.1f} s in this process; the SMTP server shares it)")
            print(f"digest_messages_per_s: {result['sent'] / wall:.0f}")
    finally:
        controller.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["quality", "scale", "digest", "all"], default="all")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--becoming-only", action="store_true",
                        help="quality: only Becoming's recommender (no λ grid, no baselines)")
    args = parser.parse_args()
    for part in ("quality", "scale", "digest"):
        if args.part in (part, "all"):
            if part == "quality" and args.becoming_only:
                quality(args.quick, becoming_only=True)
            else:
                globals()[part](args.quick)


if __name__ == "__main__":
    main()
