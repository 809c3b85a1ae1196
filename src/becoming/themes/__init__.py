"""Theme discovery for open customer feedback (pure Python: no Django).

from becoming.themes import get_embedder, discover, assign, match_themes
emb = get_embedder().embed(texts)
found = discover(emb, texts)              # automatic number of themes
found.themes[0].label, found.labels
assign(get_embedder().embed_one("new text"), found.centroids)   # -> theme index or -1
match_themes(old_centroids, found.centroids)                     # -> {new: old}
"""

from .assign import DEFAULT_ASSIGN_THRESHOLD, assign, assign_many, match_themes
from .discover import Discovery, Theme, discover
from .embedder import Embedder, ModelIntegrityError, get_embedder
from .labels import label_themes

__all__ = [
    "DEFAULT_ASSIGN_THRESHOLD",
    "Discovery",
    "Embedder",
    "ModelIntegrityError",
    "Theme",
    "assign",
    "assign_many",
    "discover",
    "get_embedder",
    "label_themes",
    "match_themes",
]
