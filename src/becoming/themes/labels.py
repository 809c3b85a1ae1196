"""Theme labels from key phrases: class-based TF-IDF over 1-2-grams, English stop words."""

from __future__ import annotations

import numpy as np


def label_themes(texts: list[str], labels, top: int = 3) -> dict[int, list[str]]:
    """Top ``top`` key phrases for each theme id in ``labels`` (ids < 0 are ignored).

    c-TF-IDF (as in BERTopic): the texts of a theme form one document; a phrase's weight is
    its frequency in the theme (normalised by the theme's phrase count) times
    ``log(1 + A / f)``, A the average phrase count per theme, f the phrase's total count.
    A phrase overlapping an already chosen one (same words) is skipped so the label reads
    as distinct ideas. Callable after staff merge themes: pass the merged labels.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    labels = np.asarray(labels)
    ids = sorted(int(x) for x in np.unique(labels) if x >= 0)
    result: dict[int, list[str]] = {i: [] for i in ids}
    if not ids:
        return result
    from scipy.sparse import csr_matrix

    rows = np.flatnonzero(labels >= 0)
    try:
        # each text vectorised on its own, so no bigram spans two texts
        vectorizer = CountVectorizer(ngram_range=(1, 2), stop_words="english", lowercase=True)
        per_text = vectorizer.fit_transform([texts[j] or "" for j in rows])
    except ValueError:  # only stop words / empty texts
        return result
    vocab = vectorizer.get_feature_names_out()
    position = {theme: r for r, theme in enumerate(ids)}
    membership = csr_matrix(
        (np.ones(len(rows)), ([position[int(labels[j])] for j in rows], np.arange(len(rows)))),
        shape=(len(ids), len(rows)),
    )
    counts = (membership @ per_text).astype(np.float64).tocsr()
    counts.sort_indices()
    per_class = np.asarray(counts.sum(axis=1)).ravel()
    total = np.asarray(counts.sum(axis=0)).ravel()
    avg = per_class.mean()
    idf = np.log1p(avg / np.maximum(total, 1))
    for row, theme in enumerate(ids):
        start, end = counts.indptr[row], counts.indptr[row + 1]
        cols = counts.indices[start:end]
        if len(cols) == 0:
            continue
        tf = counts.data[start:end] / max(per_class[row], 1)
        score = tf * idf[cols]
        chosen: list[str] = []
        for k in np.lexsort((vocab[cols], -score)):  # best first; ties alphabetical
            phrase = str(vocab[cols[k]])
            words = [_stem(w) for w in phrase.split()]
            if len(set(words)) < len(words) or any(
                set(words) & {_stem(w) for w in c.split()} for c in chosen
            ):
                continue
            chosen.append(phrase)
            if len(chosen) == top:
                break
        result[theme] = chosen
    return result


def _stem(word: str) -> str:
    """Crude plural folding, only to keep "reservation" and "reservations" out of one label."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def format_label(phrases: list[str]) -> str:
    return " · ".join(phrases) if phrases else "(no key phrases)"
