"""Benchmark: how well the sentiment of social posts (VADER, becoming.engage.actions.social)
agrees with people, on the labelled sentences that ship inside the vaderSentiment source
package (PyPI sdist, ``additional_resources/hutto_ICWSM_2014.tar.gz``).

That archive holds the ground truth of the VADER paper (Hutto & Gilbert, ICWSM 2014): 4,200
tweets, 3,708 Amazon review snippets, 10,605 movie review snippets and 5,190 New York Times
editorial snippets, each with the mean rating of about 20 people on a -4..4 scale. A
sentence is *positive* when its mean rating is above 0, *negative* below 0 (sentences rated
exactly 0 are left out). The app labels a post Positive (compound >= 0.05), Negative
(<= -0.05) or Neutral; a Neutral label is a miss for either class.

Prints per collection: sentences, Pearson r of the compound score with the mean rating, ROC
AUC of the compound score, the share the app labels Neutral, and accuracy and macro-F1 of
the app's labels. Writes benchmarks/out/sentiment.json.

Getting the data (never committed; about 2.5 MB):

    pip download --no-deps --no-binary :all: vaderSentiment==3.3.2 -d /tmp/vader
    python benchmarks/bench_sentiment.py --sdist /tmp/vader/vaderSentiment-3.3.2.tar.gz

Caveat: these are the VADER authors' own evaluation sets, so the figures are the method at
its most favourable; a business's posts (product talk, sarcasm, other languages) may score
lower. Takes about half a minute.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tarfile
import tempfile
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score, roc_auc_score

COLLECTIONS = {"tweets": "tweets_GroundTruth.txt", "amazon": "amazonReviewSnippets_GroundTruth.txt",
               "movies": "movieReviewSnippets_GroundTruth.txt", "nyt": "nytEditorialSnippets_GroundTruth.txt"}
INNER = "additional_resources/hutto_ICWSM_2014.tar.gz"


def read_ground_truth(sdist: Path) -> dict[str, list[tuple[float, str]]]:
    """{collection: [(mean rating, text)]} from the sdist, read in memory."""
    with tarfile.open(sdist) as outer:
        member = next((m for m in outer.getmembers() if m.name.endswith(INNER)), None)
        if member is None:
            sys.exit(f"{sdist}: no {INNER} inside; is this the vaderSentiment 3.3.2 source package?")
        inner_bytes = outer.extractfile(member).read()
    out: dict[str, list[tuple[float, str]]] = {}
    with tarfile.open(fileobj=io.BytesIO(inner_bytes)) as inner:
        for name, file_name in COLLECTIONS.items():
            member = next(m for m in inner.getmembers() if m.name.endswith("/" + file_name))
            rows = []
            for line in inner.extractfile(member).read().decode("utf-8", errors="replace").splitlines():
                parts = line.split("\t", 2)
                if len(parts) == 3:
                    rows.append((float(parts[1]), parts[2]))
            out[name] = rows
    return out


def measure(rows: list[tuple[float, str]]) -> dict:
    from becoming.engage.actions.social import sentiment
    from becoming.engage.models import sentiment_label

    rows = [(rating, text) for rating, text in rows if rating != 0]
    truth = np.array([1 if rating > 0 else 0 for rating, _ in rows])
    ratings = np.array([rating for rating, _ in rows])
    scores = np.array([sentiment(text) for _, text in rows])
    labels = [sentiment_label(s) for s in scores]
    predicted = np.array([1 if lab == "Positive" else 0 if lab == "Negative" else -1 for lab in labels])
    return {
        "sentences": len(rows), "positive_share": round(float(truth.mean()), 3),
        "pearson_r": round(float(np.corrcoef(scores, ratings)[0, 1]), 3),
        "roc_auc": round(float(roc_auc_score(truth, scores)), 3),
        "neutral_share": round(float((predicted == -1).mean()), 3),
        "accuracy": round(float((predicted == truth).mean()), 3),
        # Neutral is a third label the truth never has: it counts against both classes.
        "macro_f1": round(float(f1_score(truth, predicted, labels=[0, 1], average="macro")), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sdist", type=Path, required=True, help="vaderSentiment-3.3.2.tar.gz (see above)")
    args = parser.parse_args()
    # The scoring is the app's own (becoming.engage), so Django is set up, on a throwaway home.
    os.environ.setdefault("BECOMING_HOME", tempfile.mkdtemp(prefix="bench-sentiment-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "becoming.settings")
    import django

    django.setup()
    results = {name: measure(rows) for name, rows in read_ground_truth(args.sdist).items()}
    print(f"{'collection':<10} {'n':>6} {'pos':>5} {'r':>6} {'AUC':>6} {'neutral':>8} {'acc':>6} {'macroF1':>8}")
    for name, r in results.items():
        print(f"{name:<10} {r['sentences']:>6} {r['positive_share']:>5} {r['pearson_r']:>6} {r['roc_auc']:>6} "
              f"{r['neutral_share']:>8} {r['accuracy']:>6} {r['macro_f1']:>8}")
    out = Path(__file__).parent / "out"
    out.mkdir(exist_ok=True)
    (out / "sentiment.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
