"""Themes in a workspace: discovery over all feedback, assignment on arrival, staff edits.

Staff edits survive rediscovery: a new cluster that matches an old theme's centroid takes
that theme's key, name and dimension; a cluster matching a theme merged away goes to the
theme it was merged into; themes made by a split are pinned and keep their centroids.
"""

import numpy as np
import pyarrow as pa
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count

from becoming.jobs.actions import enqueue
from becoming.transformation.actions import current_model

from ..models import Feedback, Theme

EMBED_BATCH = 256
DIM = 384


def embed_texts(texts: list[str], report=None) -> np.ndarray:
    from becoming.themes import get_embedder

    report = report or (lambda *a, **k: None)
    if not texts:
        return np.zeros((0, DIM), np.float32)
    embedder, parts = get_embedder(), []
    for start in range(0, len(texts), EMBED_BATCH):
        parts.append(embedder.embed(texts[start:start + EMBED_BATCH]))
        report(min(start + EMBED_BATCH, len(texts)), total=len(texts), message="reading the texts")
    return np.vstack(parts)


def _vector(raw) -> np.ndarray:
    return np.frombuffer(bytes(raw), dtype=np.float32)


def active_themes(workspace) -> list[Theme]:
    return list(Theme.objects.filter(workspace=workspace, merged_into__isnull=True).order_by("pk"))


def assign_to_themes(workspace, vectors: np.ndarray) -> list[int | None]:
    """The theme of each new vector among the workspace's current themes (None: no theme)."""
    from becoming.themes import assign_many

    themes = active_themes(workspace)
    if not themes or not len(vectors):
        return [None] * len(vectors)
    found, _ = assign_many(vectors, np.vstack([_vector(t.centroid) for t in themes]))
    return [themes[i].pk if i >= 0 else None for i in found]


def _all_vectors(workspace, report):
    """Every feedback item's id, text and embedding (embedding those that lack one)."""
    rows = list(Feedback.objects.filter(workspace=workspace).order_by("pk").values_list("pk", "text", "embedding"))
    missing = [i for i, r in enumerate(rows) if r[2] is None]
    if missing:
        fresh = embed_texts([rows[i][1] for i in missing], report)
        for i, vector in zip(missing, fresh):
            Feedback.objects.filter(pk=rows[i][0]).update(embedding=vector.tobytes())
            rows[i] = (rows[i][0], rows[i][1], vector.tobytes())
    vectors = np.vstack([_vector(r[2]) for r in rows]) if rows else np.zeros((0, DIM), np.float32)
    return [r[0] for r in rows], [r[1] for r in rows], vectors


def discover_themes(workspace, n_themes: int | None = None, granularity: float = 0.5, progress=None) -> dict:
    """Group all feedback into themes, keeping the keys, names and links staff gave before."""
    from becoming.themes import discover

    report = progress or (lambda *a, **k: None)
    ids, texts, vectors = _all_vectors(workspace, report)
    if len(ids) < 2:
        raise ValidationError("theme discovery needs at least two pieces of feedback")
    if n_themes is not None and not 1 <= n_themes <= len(ids):
        raise ValidationError(f"--themes must be between 1 and {len(ids)} (the feedback count)")
    report(0, total=1, message="finding themes")
    found = discover(vectors, texts, n_themes=n_themes, granularity=granularity)
    with transaction.atomic():
        themes = _reconcile(workspace, found)
        by_index = {i: t for i, t in enumerate(themes)}
        _assign_all(workspace, ids, vectors, found.labels, by_index)
    report(1, total=1, message="done")
    return {"feedback": len(ids), "themes": Theme.objects.filter(workspace=workspace, merged_into__isnull=True, size__gt=0).count()}


def _reconcile(workspace, found) -> list[Theme]:
    """One Theme per discovered cluster: an old one where the centroids match, else a new one."""
    from becoming.themes import match_themes

    old = list(Theme.objects.filter(workspace=workspace).order_by("pk"))
    new_centroids = np.vstack([t.centroid for t in found.themes])
    matched = match_themes(np.vstack([_vector(t.centroid) for t in old]), new_centroids) if old else {}
    next_key = _next_key(old)
    result = []
    for index, found_theme in enumerate(found.themes):
        theme = old[matched[index]] if index in matched else None
        while theme is not None and theme.merged_into_id:
            theme = theme.merged_into
        if theme is None:
            theme = Theme(workspace=workspace, key=f"T{next_key}")
            next_key += 1
        if not theme.pinned_by_staff:
            theme.centroid = found_theme.centroid.astype(np.float32).tobytes()
        theme.label = found_theme.label
        theme.key_phrases = list(found_theme.key_phrases)
        theme.save()
        result.append(theme)
    return result


def _next_key(themes) -> int:
    numbers = [int(t.key[1:]) for t in themes if t.key[1:].isdigit()]
    return max(numbers, default=0) + 1


def _assign_all(workspace, ids, vectors, labels, by_index) -> None:
    """Set every item's theme; pinned themes (from staff splits) win items nearest to them."""
    theme_of: list[int | None] = [by_index[int(label)].pk if label >= 0 else None for label in labels]
    pinned = [t for t in active_themes(workspace) if t.pinned_by_staff]
    if pinned:
        from becoming.themes import assign_many

        current = {t.pk: t for t in active_themes(workspace)}
        near, _ = assign_many(vectors, np.vstack([_vector(t.centroid) for t in pinned]))
        for i, p in enumerate(near):
            mine = theme_of[i]
            if p >= 0 and _closer(vectors[i], pinned[p], current.get(mine) if mine is not None else None):
                theme_of[i] = pinned[p].pk
    for theme_pk in set(theme_of):
        chosen = [ids[i] for i, t in enumerate(theme_of) if t == theme_pk]
        for start in range(0, len(chosen), 900):  # stay under SQLite's parameter limit
            Feedback.objects.filter(pk__in=chosen[start:start + 900]).update(theme_id=theme_pk)
    refresh_sizes(workspace)


def _closer(vector, pinned: Theme, other: Theme | None) -> bool:
    if other is None or other.pk == pinned.pk:
        return True
    return float(vector @ _vector(pinned.centroid)) >= float(vector @ _vector(other.centroid))


def refresh_sizes(workspace) -> None:
    sizes = dict(Feedback.objects.filter(workspace=workspace, theme__isnull=False)
                 .values_list("theme").annotate(n=Count("id")))
    for theme in Theme.objects.filter(workspace=workspace):
        size = sizes.get(theme.pk, 0)
        if theme.size != size:
            Theme.objects.filter(pk=theme.pk).update(size=size)


def discover_themes_job(job, progress, n_themes=None, granularity=0.5):
    return discover_themes(job.workspace, n_themes, granularity, progress)


def queue_discovery(workspace, *, n_themes: int | None = None, granularity: float = 0.5, user=None):
    """Queue theme discovery as a job, once there is something to group (at least two items)."""
    if Feedback.objects.filter(workspace=workspace)[:2].count() < 2:
        raise ValidationError("Theme discovery needs at least two pieces of feedback; import some first.")
    return enqueue(workspace, "discover_themes", {"n_themes": n_themes, "granularity": granularity}, user)


# -- staff edits --------------------------------------------------------------------------

def rename_theme(theme: Theme, name: str) -> Theme:
    theme.name = name.strip()[:200]
    theme.save(update_fields=["name", "updated"])
    return theme


@transaction.atomic
def merge_themes(target: Theme, others: list[Theme]) -> Theme:
    """Fold `others` into `target`; later discoveries send their clusters to `target` too."""
    others = [t for t in others if t.pk != target.pk and t.workspace_id == target.workspace_id]
    if not others:
        raise ValidationError("choose at least one other theme to merge")
    Feedback.objects.filter(theme__in=others).update(theme=target)
    Theme.objects.filter(pk__in=[t.pk for t in others]).update(merged_into=target, size=0)
    Theme.objects.filter(merged_into__in=others).update(merged_into=target)
    _recentre(target)
    return target


@transaction.atomic
def split_theme(theme: Theme, parts: int = 2) -> list[Theme]:
    """Split a theme's feedback into `parts` new, pinned themes (k-means on its embeddings)."""
    from becoming.themes import discover

    items = list(Feedback.objects.filter(theme=theme).values_list("pk", "text", "embedding"))
    if len(items) < parts * 2:
        raise ValidationError(f"a theme needs at least {parts * 2} pieces of feedback to split in {parts}")
    vectors = np.vstack([_vector(e) for _, _, e in items])
    found = discover(vectors, [t for _, t, _ in items], n_themes=parts)
    next_key = _next_key(Theme.objects.filter(workspace=theme.workspace))
    made = []
    for i, part in enumerate(found.themes):
        made.append(Theme.objects.create(
            workspace=theme.workspace, key=f"T{next_key + i}", label=part.label,
            key_phrases=list(part.key_phrases), centroid=part.centroid.astype(np.float32).tobytes(),
            dimension=theme.dimension, pinned_by_staff=True,
        ))
    for i, label in enumerate(found.labels):
        Feedback.objects.filter(pk=items[i][0]).update(theme=made[int(label)] if label >= 0 else made[0])
    Theme.objects.filter(pk=theme.pk).update(merged_into=made[0], size=0)
    refresh_sizes(theme.workspace)
    return made


def _recentre(theme: Theme) -> None:
    vectors = [_vector(e) for e in Feedback.objects.filter(theme=theme).values_list("embedding", flat=True) if e]
    if vectors:
        centre = np.mean(vectors, axis=0)
        theme.centroid = (centre / (np.linalg.norm(centre) or 1)).astype(np.float32).tobytes()
        theme.save(update_fields=["centroid", "updated"])
    refresh_sizes(theme.workspace)


def link_dimension(theme: Theme, dimension: str) -> Theme:
    """Say which dimension of the current model a theme concerns ("" unlinks it)."""
    if dimension:
        model = current_model(theme.workspace)
        if model is None or dimension not in {d.key for d in model.dimensions}:
            raise ValidationError(f"No dimension {dimension!r} in the current model.")
    theme.dimension = dimension
    theme.save(update_fields=["dimension", "updated"])
    return theme


@transaction.atomic
def edit_theme(theme: Theme, *, name: str | None = None, dimension: str | None = None) -> Theme:
    """Rename and/or link a theme in one go: both change, or (on a bad dimension) neither."""
    if dimension is not None:
        link_dimension(theme, dimension)
    if name is not None:
        rename_theme(theme, name)
    return theme


# -- out ------------------------------------------------------------------------------------

def export_rows(workspace) -> pa.Table:
    """One row per feedback item: feedback_id, theme (stable key), theme_label, text, and more."""
    rows = (Feedback.objects.filter(workspace=workspace).order_by("pk")
            .values_list("source_id", "theme__key", "theme__name", "theme__label", "text",
                         "customer__external_id", "channel", "time"))
    cols: list[tuple] = list(zip(*rows)) or [()] * 8
    return pa.table({
        "feedback_id": pa.array(cols[0], pa.string()),
        "theme": pa.array(cols[1], pa.string()),
        "theme_label": pa.array([n or lab for n, lab in zip(cols[2], cols[3])], pa.string()),
        "text": pa.array(cols[4], pa.string()),
        "customer_id": pa.array(cols[5], pa.string()),
        "channel": pa.array(cols[6], pa.string()),
        "time": pa.array(cols[7], pa.timestamp("us", tz="UTC")),
    })
