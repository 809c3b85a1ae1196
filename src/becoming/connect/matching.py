"""The matching engine of Connect: who should meet whom (plain Python and numpy; no Django).

A round is an optimal maximum-weight matching over a sparse *candidate graph*:

1. **Profiles** (:class:`Profiles`): per member an industry label, a competitor key (the
   values of the ``--exclude-same`` attributes), an embedding of its challenge texts (the
   real all-MiniLM model of ``becoming.themes``), the items it read (Inform's ``inform.*``
   signals), its stage on every dimension of the transformation model and the target.
2. **Value of a pair** (:func:`pair_scores`): a weighted sum of the cosine similarity of
   the challenge embeddings, the Jaccard overlap of what both read, and *complementarity*
   (on how many dimensions one member is ahead of the other while the other is still below
   the target: a peer who has made the step the other wants), each in [0, 1].
3. **Hard rules** as a mask, never as a penalty: only allowed pairs become edges (mode
   same-industry / cross-industry / any, competitors by equal ``--exclude-same`` key or an
   explicit list, pairs met within the period).
4. **Candidate graph**: each member keeps its ``k`` best allowed partners (exact top-k of
   the full score within its block). Blocks: the members are split by recursive bisection
   along the principal axis of their embeddings into blocks of at most ``block`` members
   (in same-industry mode, first by industry), so the exact solver works on pieces whose
   cost does not grow with the square of the community. At 1,000 members there is one block.
5. **Exact matching** (:func:`solve`): rustworkx's ``max_weight_matching`` (Edmonds'
   blossom algorithm, in Rust) on integer weights (score × 10^6, the scores are rounded to
   6 decimals first, so the file of candidates reproduces the optimum exactly). With
   capacities above one the round is a b-matching, solved exactly as an integer program by
   HiGHS (``scipy.optimize.milp``).

Gatherings (:func:`form_groups`): capacitated k-means. Group count and sizes follow from the
size range; centres start from scikit-learn's k-means; each assignment step is an exact
minimum-cost assignment of members to group seats (``scipy.optimize.linear_sum_assignment``);
competitors left in one group are then separated by the cheapest swaps.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

SCALE = 1_000_000  # scores are rounded to 6 decimals and matched as integers
DEFAULT_WEIGHTS = {"text": 0.55, "reading": 0.2, "complement": 0.25}
MODES = ("any", "same-industry", "cross-industry")


class MatchingError(ValueError):
    """The input cannot give a round or groups (said in words a person can act on)."""


@dataclass
class Profiles:
    ids: list[str]
    names: list[str]
    text: np.ndarray  # (n, d) float32, L2-normalised; zero rows for members without text
    industry: list[str | None] | None = None
    competitor_key: list[tuple | None] | None = None
    reading: list[frozenset] | None = None
    stages: np.ndarray | None = None  # (n, D) float, NaN where unknown
    targets: np.ndarray | None = None  # (D,) float stage index of the target
    dimensions: list[str] = field(default_factory=list)  # names people read
    stage_names: list[list[str]] = field(default_factory=list)
    step_dates: dict[tuple[int, int], dt.date] = field(default_factory=dict)
    capacity: np.ndarray | None = None  # (n,) int
    texts: list[str] | None = None  # raw challenge texts, for reasons
    factor: np.ndarray | None = None  # (n,) learned weight of a member's pairs (declines)

    @property
    def n(self) -> int:
        return len(self.ids)


@dataclass
class Round:
    pairs: list[tuple[int, int, float]]  # (i, j, score), i < j, best first
    candidates: list[tuple[int, int, float]]
    total: float
    blocks: int


# -- the value of a pair ---------------------------------------------------------------------

def _reading_matrix(reading: list[frozenset] | None, n: int):
    if not reading or not any(reading):
        return None
    from scipy import sparse

    items: dict = {}
    rows, cols = [], []
    for i, read in enumerate(reading):
        for item in read:
            rows.append(i)
            cols.append(items.setdefault(item, len(items)))
    return sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(n, len(items)))


def components(p: Profiles, rows: np.ndarray, cols: np.ndarray, reading=None) -> dict[str, np.ndarray]:
    """Each part of the value of every pair rows × cols, as (len(rows), len(cols)) arrays."""
    text = np.clip(p.text[rows] @ p.text[cols].T, 0.0, 1.0)
    out = {"text": text}
    if reading is not None:
        inter = (reading[rows] @ reading[cols].T).toarray()
        sizes = np.asarray(reading.sum(axis=1)).ravel()
        union = sizes[rows][:, None] + sizes[cols][None, :] - inter
        out["reading"] = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    else:
        out["reading"] = np.zeros_like(text)
    if p.stages is not None and p.targets is not None and p.stages.shape[1]:
        helps = np.zeros(text.shape, dtype=np.float32)
        for d in range(p.stages.shape[1]):
            # NaN (unknown) compares False: no credit for an unknown stage
            a = p.stages[rows, d][:, None]
            b = p.stages[cols, d][None, :]
            t = p.targets[d]
            with np.errstate(invalid="ignore"):
                helps += ((a > b) & (b < t)) | ((b > a) & (a < t))
        out["complement"] = helps / p.stages.shape[1]
    else:
        out["complement"] = np.zeros_like(text)
    return out


def pair_scores(p: Profiles, rows: np.ndarray, cols: np.ndarray, weights: dict[str, float],
                reading=None) -> np.ndarray:
    parts = components(p, rows, cols, reading)
    score = sum(weights.get(k, 0.0) * v for k, v in parts.items())
    if p.factor is not None:
        score = score * np.sqrt(p.factor[rows][:, None] * p.factor[cols][None, :])
    return np.asarray(score, dtype=np.float64)


def allowed(p: Profiles, rows: np.ndarray, cols: np.ndarray, mode: str,
            forbidden: set[tuple[int, int]]) -> np.ndarray:
    """The hard rules as a boolean mask over rows × cols."""
    ok = rows[:, None] != cols[None, :]
    if mode != "any":
        if p.industry is None:
            raise MatchingError(f"mode {mode} needs an industry attribute")
        ind = np.array([x if x is not None else "" for x in p.industry], dtype=object)
        known = np.array([x is not None for x in p.industry])
        same = ind[rows][:, None] == ind[cols][None, :]
        both = known[rows][:, None] & known[cols][None, :]
        ok &= both & (same if mode == "same-industry" else ~same)
    if p.competitor_key is not None:
        codes = _codes(p.competitor_key)
        a, b = codes[rows][:, None], codes[cols][None, :]
        ok &= ~((a == b) & (a >= 0))
    if forbidden:
        where = {int(r): k for k, r in enumerate(rows)}
        col_at = {int(c): k for k, c in enumerate(cols)}
        for i, j in forbidden:
            for x, y in ((i, j), (j, i)):
                if x in where and y in col_at:
                    ok[where[x], col_at[y]] = False
    return ok


def _codes(keys: list) -> np.ndarray:
    seen: dict = {}
    return np.array([-1 if k is None else seen.setdefault(k, len(seen)) for k in keys], dtype=np.int64)


# -- the candidate graph ---------------------------------------------------------------------

def blocks_of(p: Profiles, mode: str, block: int) -> list[np.ndarray]:
    """Members split into pieces of at most ``block`` (by industry first in same-industry)."""
    everyone = np.arange(p.n)
    if mode == "same-industry" and p.industry is not None:
        groups: dict = {}
        for i, ind in enumerate(p.industry):
            if ind is not None:
                groups.setdefault(ind, []).append(i)
        starts = [np.array(g) for g in groups.values() if len(g) > 1]
    else:
        starts = [everyone]
    out: list[np.ndarray] = []
    for start in starts:
        out.extend(_bisect(p.text, start, block))
    return out


def _bisect(x: np.ndarray, members: np.ndarray, block: int) -> list[np.ndarray]:
    if len(members) <= block:
        return [members]
    sub = np.asarray(x[members] - x[members].mean(axis=0), dtype=np.float32)
    # principal axis by a few power iterations (deterministic start)
    v = np.ones(sub.shape[1], dtype=np.float32) / np.float32(math.sqrt(sub.shape[1]))
    for _ in range(10):
        v = sub.T @ (sub @ v)
        norm = np.linalg.norm(v)
        if norm == 0:
            break
        v /= norm
    order = members[np.argsort(sub @ v, kind="stable")]
    half = len(order) // 2
    return _bisect(x, order[:half], block) + _bisect(x, order[half:], block)


def candidate_graph(p: Profiles, *, mode: str = "any", k: int = 10, block: int = 1500,
                    weights: dict[str, float] | None = None,
                    forbidden: Iterable[tuple[int, int]] = (),
                    chunk: int = 512) -> tuple[dict[tuple[int, int], float], int]:
    """{(i, j): score} with i < j: each member's k best allowed partners in its block."""
    if mode not in MODES:
        raise MatchingError(f"mode: one of {', '.join(MODES)}, not {mode!r}")
    weights = weights or DEFAULT_WEIGHTS
    forbid = {(min(a, b), max(a, b)) for a, b in forbidden}
    reading = _reading_matrix(p.reading, p.n)
    edges: dict[tuple[int, int], float] = {}
    pieces = blocks_of(p, mode, block)
    for members in pieces:
        for start in range(0, len(members), chunk):
            rows = members[start:start + chunk]
            score = pair_scores(p, rows, members, weights, reading)
            mask = allowed(p, rows, members, mode, forbid) & (score > 0)
            score = np.where(mask, score, -np.inf)
            kk = min(k, len(members) - 1)
            if kk <= 0:
                continue
            top = np.argpartition(-score, kk - 1, axis=1)[:, :kk]
            for r, i in enumerate(rows):
                for c in top[r]:
                    s = score[r, c]
                    if not np.isfinite(s):
                        continue
                    j = int(members[c])
                    edges[(min(int(i), j), max(int(i), j))] = round(float(s), 6)
    return edges, len(pieces)


# -- the exact solvers -----------------------------------------------------------------------

def solve(edges: dict[tuple[int, int], float], n: int,
          capacity: np.ndarray | None = None) -> list[tuple[int, int]]:
    """An optimal maximum-weight matching (or b-matching with ``capacity``) of ``edges``."""
    if not edges:
        return []
    if capacity is not None and (capacity > 1).any():
        return _b_matching(edges, capacity)
    import rustworkx as rx
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    keys = [e for e, w in edges.items() if w > 0]
    lo = np.array([a for a, _ in keys])
    hi = np.array([b for _, b in keys])
    adjacency = sparse.coo_matrix((np.ones(len(keys)), (lo, hi)), shape=(n, n))
    _, label = connected_components(adjacency, directed=False)
    # The blossom algorithm's cost grows with the whole graph it is given: solve each
    # connected component on its own (the optimum is the union of theirs).
    by_part: dict[int, list[tuple[int, int]]] = {}
    for a, b in keys:
        by_part.setdefault(int(label[a]), []).append((a, b))
    chosen: list[tuple[int, int]] = []
    for part in by_part.values():
        nodes = sorted({v for e in part for v in e})
        local = {v: k for k, v in enumerate(nodes)}
        graph = rx.PyGraph(multigraph=False)
        graph.add_nodes_from(nodes)
        graph.add_edges_from([(local[a], local[b], int(round(edges[(a, b)] * SCALE)))
                              for a, b in part])
        found = rx.max_weight_matching(graph, max_cardinality=False, weight_fn=lambda w: w)
        chosen.extend((min(nodes[a], nodes[b]), max(nodes[a], nodes[b])) for a, b in found)
    return sorted(chosen)


def _b_matching(edges: dict[tuple[int, int], float], capacity: np.ndarray) -> list[tuple[int, int]]:
    from scipy import sparse
    from scipy.optimize import Bounds, LinearConstraint, milp

    keys = list(edges)
    m = len(keys)
    lo = np.array([a for a, _ in keys])
    hi = np.array([b for _, b in keys])
    w = np.array([round(edges[key] * SCALE) for key in keys], dtype=float)
    n = len(capacity)
    a = sparse.csr_matrix((np.ones(2 * m), (np.r_[lo, hi], np.r_[np.arange(m), np.arange(m)])),
                          shape=(n, m))
    result = milp(-w, constraints=LinearConstraint(a, 0, capacity.astype(float)),
                  integrality=np.ones(m), bounds=Bounds(0, 1),
                  options={"mip_rel_gap": 0.0})
    if result.x is None:
        raise MatchingError(f"the exact solver failed: {result.message}")
    return sorted(keys[e] for e in np.flatnonzero(result.x > 0.5))


def match(p: Profiles, *, mode: str = "any", k: int = 10, block: int = 1500,
          weights: dict[str, float] | None = None,
          forbidden: Iterable[tuple[int, int]] = ()) -> Round:
    """One round: the candidate graph and an optimal matching of it, best pairs first."""
    edges, pieces = candidate_graph(p, mode=mode, k=k, block=block, weights=weights,
                                    forbidden=forbidden)
    cap = p.capacity
    if cap is not None:
        cap = np.maximum(cap.astype(int), 0)
        edges = {e: w for e, w in edges.items() if cap[e[0]] > 0 and cap[e[1]] > 0}
    chosen = solve(edges, p.n, cap)
    pairs = sorted(((i, j, edges[(i, j)]) for i, j in chosen), key=lambda t: (-t[2], t[0], t[1]))
    candidates = sorted((i, j, w) for (i, j), w in edges.items())
    return Round(pairs=pairs, candidates=candidates,
                 total=round(sum(w for _, _, w in pairs), 6), blocks=pieces)


# -- readable reasons ------------------------------------------------------------------------

class Reasons:
    """Sentences that say why two members were paired, from the same parts as the score."""

    def __init__(self, p: Profiles):
        self.p = p
        self.reading = _reading_matrix(p.reading, p.n)
        self._terms = None
        if p.texts and any(t.strip() for t in p.texts):
            from sklearn.feature_extraction.text import TfidfVectorizer

            vectorizer = TfidfVectorizer(analyzer=_phrases, min_df=1,
                                         max_df=0.2 if p.n > 20 else 1.0, sublinear_tf=True)
            try:
                self._terms = (vectorizer.fit_transform(p.texts), vectorizer.get_feature_names_out())
            except ValueError:  # every word a stop word
                self._terms = None

    def shared_terms(self, i: int, j: int, top: int = 3) -> list[str]:
        if self._terms is None:
            return []
        matrix, names = self._terms
        both = matrix[i].multiply(matrix[j]).tocsr()
        if both.nnz == 0:
            return []
        # a shared two-word phrase says more than either of its words
        weight = both.data * np.array([2.0 if " " in str(names[k]) else 1.0 for k in both.indices])
        order = np.argsort(-weight, kind="stable")
        picked: list[str] = []
        for idx in both.indices[order]:
            term = str(names[idx])
            if any(term in other or other in term for other in picked):
                continue
            picked.append(term)
            if len(picked) == top:
                break
        return picked

    def parts(self, i: int, j: int) -> dict[str, float]:
        rows, cols = np.array([i]), np.array([j])
        return {k: float(v[0, 0]) for k, v in components(self.p, rows, cols, self.reading).items()}

    def why(self, i: int, j: int) -> str:
        p = self.p
        parts = self.parts(i, j)
        said: list[str] = []
        terms = self.shared_terms(i, j)
        if terms:
            said.append("both are working on " + _join(terms))
        elif parts["text"] >= 0.5:
            said.append(f"their challenges read alike ({parts['text']:.0%} similar)")
        if p.reading and parts["reading"] > 0:
            common = len(p.reading[i] & p.reading[j])
            said.append(f"both read the same {common} item{'s' if common != 1 else ''}")
        said.extend(self.steps(i, j)[:2])
        if p.industry is not None and p.industry[i] and p.industry[j]:
            if p.industry[i] == p.industry[j]:
                said.append(f"both in {p.industry[i]}")
            else:
                said.append(f"{p.industry[i]} meets {p.industry[j]}")
        if not said:
            said.append(f"closest available peers ({parts['text']:.0%} similar challenges)")
        text = "; ".join(said)
        return text[0].upper() + text[1:]

    def steps(self, i: int, j: int) -> list[str]:
        """"X made that step in March" for the dimensions where one leads the other."""
        p = self.p
        if p.stages is None or p.targets is None:
            return []
        out = []
        for d in range(p.stages.shape[1]):
            a, b = p.stages[i, d], p.stages[j, d]
            if np.isnan(a) or np.isnan(b) or a == b:
                continue
            ahead, behind = (i, j) if a > b else (j, i)
            if p.stages[behind, d] >= p.targets[d]:
                continue
            names = p.stage_names[d] if d < len(p.stage_names) else []
            stage = int(p.stages[ahead, d])
            label = names[stage] if stage < len(names) else f"stage {stage + 1}"
            sentence = f"{p.names[ahead]} is at {label} on {p.dimensions[d]}"
            when = p.step_dates.get((ahead, d))
            if when:
                sentence = (f"{p.names[ahead]} reached {label} on {p.dimensions[d]} "
                            f"in {when.strftime('%B %Y')}")
            out.append(sentence + f", {p.names[behind]} is not there yet")
        return out


_WORD = re.compile(r"[a-z0-9][a-z0-9'+-]*[a-z0-9]|[a-z0-9]{2,}")
_CLAUSE = re.compile(r"[.,;:!?()\[\]\n]+")


def _phrases(text: str) -> list[str]:
    """Words and two-word phrases, never across a comma or a full stop, no stop words."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    out: list[str] = []
    for clause in _CLAUSE.split(text.lower()):
        words = [w for w in _WORD.findall(clause)]
        for k, word in enumerate(words):
            if word in ENGLISH_STOP_WORDS or len(word) < 3:
                continue
            out.append(word)
            if k + 1 < len(words) and words[k + 1] not in ENGLISH_STOP_WORDS and len(words[k + 1]) > 2:
                out.append(f"{word} {words[k + 1]}")
    return out


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


# -- gatherings ------------------------------------------------------------------------------

def group_sizes(n: int, size_min: int, size_max: int) -> list[int]:
    """As few groups as the maximum allows, sizes as even as possible; or MatchingError."""
    if size_min < 2 or size_max < size_min:
        raise MatchingError(f"size range {size_min}–{size_max}: the minimum must be at least 2 "
                            f"and at most the maximum")
    if n < size_min:
        raise MatchingError(f"only {n} member{'s' if n != 1 else ''} can join: too few for one "
                            f"group of at least {size_min}")
    groups = math.ceil(n / size_max)
    base, extra = divmod(n, groups)
    if base < size_min:
        raise MatchingError(f"{n} members cannot be split into groups of {size_min}–{size_max}")
    return [base + 1] * extra + [base] * (groups - extra)


def form_groups(x: np.ndarray, size_min: int, size_max: int, *,
                competitor_key: list | None = None, seed: int = 0,
                iterations: int = 4) -> np.ndarray:
    """Group index per member: cohesive groups within the size range, no two competitors
    together when that is possible (MatchingError when a group must hold competitors)."""
    from scipy.optimize import linear_sum_assignment
    from sklearn.cluster import KMeans

    n = x.shape[0]
    sizes = group_sizes(n, size_min, size_max)
    g = len(sizes)
    if competitor_key is not None:
        from collections import Counter

        counts = Counter(k for k in competitor_key if k is not None)
        if counts:
            key, most = counts.most_common(1)[0]
            if most > g:
                raise MatchingError(f"{most} members are competitors ({', '.join(map(str, key))}) "
                                    f"but there are only {g} groups: allow larger groups or a "
                                    f"narrower competitor rule")
    x = np.asarray(x, dtype=np.float64)
    if g == 1:
        labels = np.zeros(n, dtype=np.int64)
    else:
        # random initial centres: k-means++ seeding costs more than the exact assignments below
        centres = KMeans(n_clusters=g, init="random", n_init=1, max_iter=30,
                         random_state=seed).fit(x).cluster_centers_
        seat_group = np.repeat(np.arange(g), sizes)
        labels = np.zeros(n, dtype=np.int64)
        for _ in range(iterations):
            cost = _sq_dist(x, centres)
            rows, seats = linear_sum_assignment(cost[:, seat_group])
            new = seat_group[seats[np.argsort(rows)]]
            if (new == labels).all():
                break
            labels = new
            centres = np.stack([x[labels == c].mean(axis=0) for c in range(g)])
    if competitor_key is not None:
        labels = _separate(x, labels, _codes(competitor_key))
    return labels


def _sq_dist(x: np.ndarray, c: np.ndarray) -> np.ndarray:
    return (x * x).sum(1)[:, None] - 2 * x @ c.T + (c * c).sum(1)[None, :]


def _separate(x: np.ndarray, labels: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Swap members until no group holds two with the same competitor code, each time the
    swap that costs least cohesion (distance to the centres the groups had)."""
    labels = labels.copy()
    g = int(labels.max()) + 1
    known = codes >= 0
    if not known.any():
        return labels
    width = int(codes.max()) + 1
    count = np.zeros((g, width), dtype=np.int64)
    np.add.at(count, (labels[known], codes[known]), 1)
    centres = np.stack([x[labels == c].mean(axis=0) for c in range(g)])
    dist = _sq_dist(x, centres)  # (n, g)
    everyone = np.arange(len(labels))
    for _ in range(len(labels)):
        clash = np.argwhere(count > 1)
        if not len(clash):
            return labels
        group, code = int(clash[0][0]), int(clash[0][1])
        member = int(np.flatnonzero((labels == group) & (codes == code))[-1])
        others = everyone[labels != group]
        targets = labels[others]
        other_codes = codes[others]
        ok = count[targets, code] == 0  # the member's code is not in the other's group
        has = other_codes >= 0
        left = np.zeros(len(others), dtype=np.int64)  # the other's code left in this group
        left[has] = count[group, other_codes[has]] - (other_codes[has] == code)
        ok &= left == 0
        if not ok.any():
            raise MatchingError("competitors cannot all be kept apart at these group sizes")
        cost = dist[member, targets] + dist[others, group]
        cost[~ok] = np.inf
        best = int(others[np.argmin(cost)])
        target = int(labels[best])
        count[group, code] -= 1
        count[target, code] += 1
        if codes[best] >= 0:
            count[target, codes[best]] -= 1
            count[group, codes[best]] += 1
        labels[member], labels[best] = target, group
    raise MatchingError("competitors cannot all be kept apart at these group sizes")


def _first_clash(labels: np.ndarray, codes: np.ndarray) -> tuple[int, int] | None:
    seen: dict[tuple[int, int], int] = {}
    for i, (group, code) in enumerate(zip(labels, codes)):
        if code < 0:
            continue
        key = (int(group), int(code))
        if key in seen:
            return i, int(group)
        seen[key] = i
    return None


def cohesion(x: np.ndarray, labels: np.ndarray) -> float:
    """Mean cosine similarity of members of the same group (x L2-normalised)."""
    sims = []
    for group in np.unique(labels):
        members = x[labels == group]
        if len(members) < 2:
            continue
        s = members @ members.T
        m = len(members)
        sims.append((s.sum() - np.trace(s)) / (m * (m - 1)))
    return float(np.mean(sims)) if sims else 0.0
