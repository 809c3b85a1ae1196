"""`becoming connect` through the installed entry point, on the YC startups file.

The file (see shared/data/README.md) becomes customers with the first category as the
industry and the description as what each company works on.
"""

import csv
import sqlite3
from pathlib import Path

import networkx as nx
import pytest
from support import DATA, need_data

pytestmark = pytest.mark.once
YC = DATA / "yc-startups" / "Startups.csv"


def rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def yc(becoming, tmp_path_factory):
    need_data(YC)
    folder = tmp_path_factory.mktemp("yc")
    customers = folder / "startups.csv"
    with open(customers, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["Company", "Description", "Industry", "City"])
        for r in rows(YC):
            writer.writerow([r["Company"], r["Description"], r["Categories"].split(",")[0].strip(),
                             r["Headquarters (City)"]])
    slug = becoming("workspace", "create", "YC startups").stdout.strip()
    becoming("import", "customers", customers, "--workspace", slug, "--id-column", "Company")
    first = folder / "first.csv"
    first.write_text("company\n" + "\n".join(r["Company"] for r in rows(YC)[:40]) + "\n")
    out = becoming("connect", "opt-in", "--workspace", slug, "--customers", first, "--customer-column", "company")
    assert "40 members opted in" in out.stdout
    out = becoming("connect", "opt-in", "--workspace", slug, "--all")
    assert "648 members opted in, 40 already members" in out.stdout
    return slug, {r["Company"]: r for r in rows(customers)}


def rounds_stored(cli_env) -> int:
    path = cli_env["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        return db.execute("SELECT count(*) FROM connect_round").fetchone()[0]


def test_same_industry_round_is_optimal_and_keeps_the_rules(becoming, yc, tmp_path):
    slug, companies = yc
    out, candidates = tmp_path / "pairs.csv", tmp_path / "candidates.csv"
    becoming("connect", "match", "--workspace", slug, "--mode", "same-industry",
             "--industry-attribute", "Industry", "--exclude-same", "Industry", "--exclude-same", "City",
             "--text-attribute", "Description", "-o", out, "--candidates-out", candidates)
    pairs, graph = rows(out), rows(candidates)
    assert list(pairs[0]) == ["member_a", "member_b", "score", "reason"]
    assert list(graph[0]) == ["member_a", "member_b", "score"]
    assert len(pairs) > 100
    seen = [m for p in pairs for m in (p["member_a"], p["member_b"])]
    assert len(seen) == len(set(seen)), "a member in two pairs"
    for p in pairs:
        a, b = companies[p["member_a"]], companies[p["member_b"]]
        assert a["Industry"] == b["Industry"] != ""
        assert a["City"] != b["City"] or a["City"] == "", "competitors (same industry and city) paired"
        assert p["reason"] and float(p["score"]) > 0
    # Optimality: an independent exact solver on the candidate graph finds the same total.
    g = nx.Graph()
    g.add_weighted_edges_from((c["member_a"], c["member_b"], round(float(c["score"]) * 1e6)) for c in graph)
    best = nx.max_weight_matching(g)
    optimum = sum(g.edges[a, b]["weight"] for a, b in best)
    chosen = {frozenset((p["member_a"], p["member_b"])) for p in pairs}
    assert chosen <= {frozenset((c["member_a"], c["member_b"])) for c in graph}
    assert sum(round(float(p["score"]) * 1e6) for p in pairs) == optimum


def test_cross_industry_round_as_json(becoming, yc, tmp_path):
    import json

    slug, companies = yc
    out = tmp_path / "pairs.json"
    becoming("connect", "match", "--workspace", slug, "--mode", "cross-industry",
             "--industry-attribute", "Industry", "--exclude-same", "Industry",
             "--text-attribute", "Description", "--format", "json", "-o", out, "--capacity", "2")
    pairs = json.loads(out.read_text())
    assert pairs and set(pairs[0]) == {"member_a", "member_b", "score", "reason"}
    counts: dict[str, int] = {}
    for p in pairs:
        assert companies[p["member_a"]]["Industry"] != companies[p["member_b"]]["Industry"]
        assert "" not in (companies[p["member_a"]]["Industry"], companies[p["member_b"]]["Industry"])
        for m in (p["member_a"], p["member_b"]):
            counts[m] = counts.get(m, 0) + 1
    assert max(counts.values()) == 2  # capacity 2: some take two introductions, none three


def test_gatherings_within_bounds_without_competitors(becoming, yc):
    slug, companies = yc
    out = becoming("connect", "gatherings", "--workspace", slug, "--size-min", "5", "--size-max", "8",
                   "--exclude-same", "Industry", "--text-attribute", "Description")
    groups: dict[str, list[str]] = {}
    for row in csv.DictReader(out.stdout.splitlines()):
        groups.setdefault(row["group"], []).append(row["member"])
    assert sum(len(g) for g in groups.values()) == 688
    for members in groups.values():
        assert 5 <= len(members) <= 8
        industries = [companies[m]["Industry"] for m in members if companies[m]["Industry"]]
        assert len(industries) == len(set(industries)), "competitors in one group"


def test_bad_input_says_what_and_writes_nothing(becoming, yc, cli_env):
    slug, _ = yc
    before = rounds_stored(cli_env)
    bad = becoming("connect", "match", "--workspace", slug, "--exclude-same", "Sector", ok=False)
    assert bad.returncode == 1 and "--exclude-same: unknown attribute 'Sector'" in bad.stderr
    bad = becoming("connect", "match", "--workspace", slug, "--mode", "same-industry",
                   "--industry-attribute", "Branch", ok=False)
    assert bad.returncode == 1 and "--industry-attribute: unknown attribute 'Branch'" in bad.stderr
    bad = becoming("connect", "gatherings", "--workspace", slug, "--size-min", "300", "--size-max", "300",
                   ok=False)
    assert bad.returncode == 1 and "688 members cannot be split into groups of 300–300" in bad.stderr
    bad = becoming("connect", "gatherings", "--workspace", slug, "--size-min", "700", "--size-max", "800",
                   ok=False)
    assert bad.returncode == 1 and "only 688 members can join: too few" in bad.stderr
    empty = becoming("workspace", "create", "Nobody opted in").stdout.strip()
    bad = becoming("connect", "match", "--workspace", empty, ok=False)
    assert bad.returncode == 1 and "0 opted-in members" in bad.stderr
    bad = becoming("connect", "opt-in", "--workspace", empty, "--all", ok=False)
    assert bad.returncode == 1 and "no customers yet" in bad.stderr
    assert rounds_stored(cli_env) == before
